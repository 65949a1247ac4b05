"""Export a model to another tool's format: GraphML, GEXF, a CSV pair, JSON, a Cypher script, a workbook."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InteropError

if TYPE_CHECKING:  # the CLI reads EXPORT_FORMATS at start-up: the model (pydantic) loads when first used
    from ..model import Ecosystem

__all__ = ["EXPORT_FORMATS", "export_texts", "export_model"]

EXPORT_FORMATS = ("graphml", "gexf", "csv", "json", "cypher", "xlsx")
"""Formats of ``ecograph export --format``; ``csv`` writes two files into a directory."""


def export_texts(model: Ecosystem, fmt: str, *, ecosystem: str | None = None) -> dict[str, str | bytes]:
    """The exported content in memory: ``{file name: text or bytes}`` (one file, except for csv).

    File names are relative: for csv ``nodes.csv`` and ``relationships.csv`` inside the output
    directory; for the others ``""`` (the output file itself). ``ecosystem`` names the ecosystem in
    the Cypher script (default: the model's name).

    >>> from ecosystem_graph.model import Ecosystem
    >>> m = Ecosystem.model_validate({"name": "T", "currency": "EUR", "period": "2024",
    ...     "nodes": [{"id": "a", "kind": "core", "name": "A"}]})
    >>> sorted(export_texts(m, "csv"))
    ['nodes.csv', 'relationships.csv']
    """
    if fmt == "graphml":
        from .interchange import graphml_text

        return {"": graphml_text(model)}
    if fmt == "gexf":
        from .interchange import gexf_text

        return {"": gexf_text(model)}
    if fmt == "csv":
        from .csvpair import csv_pair_texts

        return dict(csv_pair_texts(model))
    if fmt == "json":
        from ..fileio import dumps_model

        return {"": dumps_model(model, "json")}
    if fmt == "cypher":
        from .cypher import cypher_script

        return {"": cypher_script(model, name=ecosystem)}
    if fmt == "xlsx":
        from .kumu import workbook_bytes

        return {"": workbook_bytes(model)}
    raise InteropError(f"unknown export format '{fmt}'; expected one of {', '.join(EXPORT_FORMATS)}")


def export_model(model: Ecosystem, fmt: str, output: str | os.PathLike, *,
                 ecosystem: str | None = None) -> list[str]:
    """Write ``model`` in format ``fmt`` to ``output`` (a directory for csv, created if missing) and
    return the paths written. Everything is rendered before the first byte is written; the files are
    written to temporaries and renamed onto their names together at the end, so a failure leaves
    the old files as they were (for csv, never a new nodes.csv beside an old relationships.csv).
    Symlinks are followed; devices, FIFOs and sockets are refused (OutputError)."""
    from ..fileio import atomic_outputs, output_target

    contents = export_texts(model, fmt, ecosystem=ecosystem)
    out = Path(output)
    try:
        if fmt == "csv":
            if os.fspath(output) == "-":
                output_target(output)  # refused: '-' means standard output, and this is two files
            if out.exists() and not out.is_dir():
                raise InteropError(f"{output}: the csv export writes two files into a directory; "
                                   f"this is a file (give a directory name)")
            out.mkdir(parents=True, exist_ok=True)
            targets = {out / name: content for name, content in contents.items()}
        else:
            if out.is_dir():
                raise InteropError(f"{output}: is a directory; give a file name")
            targets = {out: contents[""]}
        with atomic_outputs() as batch:  # the csv pair appears together or not at all
            for path, content in targets.items():
                if isinstance(content, bytes):
                    batch.write_bytes(path, content)
                else:
                    batch.write_text(path, content)
    except OSError as exc:
        raise InteropError(f"{output}: cannot write ({exc.strerror or exc})") from None
    return [str(path) for path in targets]
