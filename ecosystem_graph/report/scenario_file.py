"""Scenario files for ``ecograph report --scenario``: a named set of removals and scalings in YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, ModelValidationError, UsageError
from ..analysis.scenario import MAX_SCALE_FACTOR
from ..fileio import read_bytes_limited, read_data
from ..model import describe_big_int
from ..validation import suggest

__all__ = ["ScenarioSpec", "load_scenario", "parse_scenario", "SCENARIO_KEYS"]

SCENARIO_KEYS = ("name", "description", "remove", "scale")
_MAX_SCENARIO_BYTES = 1024 * 1024


@dataclass
class ScenarioSpec:
    """What to change in a model: ids to remove (nodes or relationships) and factors to scale by.

    A factor multiplies a relationship's PAYS ``amount``, or, for a node id, every PAYS amount into and
    out of that node (the same meaning as ``ecograph whatif --scale ID=F``).
    """

    name: str | None = None
    description: str | None = None
    remove: list[str] = field(default_factory=list)
    scale: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """A title for the scenario: its name, else a summary of its changes."""
        if self.name:
            return self.name
        parts = []
        if self.remove:
            parts.append("without " + ", ".join(self.remove))
        if self.scale:
            parts.append(", ".join(f"{k} × {v:g}" for k, v in self.scale.items()))
        return "; ".join(parts) or "no change"

    def is_empty(self) -> bool:
        return not self.remove and not self.scale


def parse_scenario(data, source: str = "<scenario>") -> ScenarioSpec:
    """Check plain scenario data and return a :class:`ScenarioSpec`; problems raise UsageError.

    >>> parse_scenario({"name": "No AWS", "remove": ["aws"], "scale": {"prime": 0.5}}).scale
    {'prime': 0.5}
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{source}: a scenario is a mapping with the keys {', '.join(SCENARIO_KEYS)}")
    for key in data:
        if key not in SCENARIO_KEYS:
            hint = suggest(str(key), SCENARIO_KEYS)
            raise UsageError(f"{source}: unknown key '{key}'" + (f"; did you mean '{hint}'?" if hint else
                             f" (allowed: {', '.join(SCENARIO_KEYS)})"))
    spec = ScenarioSpec()
    for key in ("name", "description"):
        value = data.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            raise UsageError(f"{source}: '{key}' must be text")
        setattr(spec, key, None if value is None else str(value))
    remove = data.get("remove") or []
    if isinstance(remove, str):
        remove = [remove]
    if not isinstance(remove, list) or not all(isinstance(r, (str, int)) and not isinstance(r, bool)
                                               for r in remove):
        raise UsageError(f"{source}: 'remove' must be a list of node or relationship ids")
    spec.remove = [str(r) for r in remove]
    scale = data.get("scale") or {}
    if not isinstance(scale, dict):
        raise UsageError(f"{source}: 'scale' must map ids to factors, e.g. 'scale: {{prime: 0.5}}'")
    for key, factor in scale.items():
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) \
                or not 0 <= factor <= MAX_SCALE_FACTOR:
            shown = describe_big_int(factor) if isinstance(factor, int) else repr(factor)
            raise UsageError(f"{source}: scale factor for '{key}' must be a number from 0 to "
                             f"{MAX_SCALE_FACTOR:,.0f}, not {shown[:40]}")
        spec.scale[str(key)] = float(factor)
    overlap = set(spec.remove) & set(spec.scale)
    if overlap:
        raise UsageError(f"{source}: {', '.join(sorted(overlap))} both removed and scaled; choose one")
    return spec


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read a scenario YAML (or JSON) file; unreadable files raise InputError, bad content UsageError."""
    raw = read_bytes_limited(path, _MAX_SCENARIO_BYTES, what="scenario file")
    try:  # the model reader's parser: alias bombs, deep nesting and over-long numbers are refused
        data = read_data(raw, str(path), "yaml")
    except ModelValidationError as exc:
        problem = exc.problems[0]
        message = problem.message.removeprefix("YAML syntax error: ")
        raise InputError(f"{problem.location()}: not valid YAML ({message})") from None
    return parse_scenario(data, str(path))
