"""Starting points for new model files (``ecograph init``)."""

from __future__ import annotations

from importlib import resources

__all__ = ["TEMPLATES", "template_text"]

TEMPLATES = ("blank", "amazon")


def template_text(name: str) -> str:
    """The YAML text of a template (``blank`` or ``amazon``)."""
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}")
    return resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
