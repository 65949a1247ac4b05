"""The consultant report: analyses laid out as one self-contained HTML file (or Markdown with SVG charts)."""

from .build import DEFAULT_TOP, build_report
from .document import Report
from .html import render_report_html
from .markdown import render_report_markdown
from .scenario_file import ScenarioSpec, load_scenario, parse_scenario

__all__ = [
    "DEFAULT_TOP",
    "Report",
    "ScenarioSpec",
    "build_report",
    "load_scenario",
    "parse_scenario",
    "render_report_html",
    "render_report_markdown",
]

from ..callable_package import make_callable  # noqa: E402
from .write import report as _report  # noqa: E402

make_callable(__name__, _report)  # ecosystem_graph.report(model, path) is the API function
