"""Reading and writing model files (YAML and JSON): size limit, alias-bomb guard, locations, atomic save."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator

import yaml

from .errors import InputError, ModelValidationError
from .model import Ecosystem
from .validation import Problem, validate_data
from .yaml_data import load_yaml_data, locate_paths

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_ALIAS_EXPANSION",
    "MEMORY_PER_BYTE",
    "LoadResult",
    "max_bytes_from_env",
    "read_data",
    "check_file",
    "load_model",
    "parse_model_text",
    "locate_problems",
    "dumps_model",
    "save_model",
    "write_text_atomic",
    "write_bytes_atomic",
    "atomic_writer",
    "read_bytes_limited",
    "publish_temp_file",
    "format_for",
]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused (override with ``ECOGRAPH_MAX_BYTES`` or ``--max-bytes``)."""

MEMORY_PER_BYTE = 15
"""Loading a model needs at most about this many bytes of memory per byte of its file (benchmarks/bench_memory.py)."""

MAX_ALIAS_EXPANSION = 100_000
"""YAML aliases may add at most this many nodes (or as many as the file itself holds, if more)."""

try:  # The C loader is ~10x faster; PyYAML without libyaml still works, only slower.
    _Loader = yaml.CSafeLoader
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


class _NoAliasDumper(_Dumper):
    # Never write anchors/aliases: each item stands alone, and readers need no alias support.
    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass
class LoadResult:
    """A model (None when invalid) and every problem found in its file, located."""

    source: str
    model: Ecosystem | None
    problems: list[Problem] = field(default_factory=list)
    raw: bytes | None = None  # the bytes that were validated (for hashes, comments), when read from bytes

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def max_bytes_from_env() -> int:
    raw = os.environ.get("ECOGRAPH_MAX_BYTES")
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"ECOGRAPH_MAX_BYTES must be a whole number of bytes, not '{raw}'") from None


def format_for(path: str | os.PathLike, raw: bytes | None = None) -> str:
    """'yaml' or 'json', from the file name, else from the content."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if raw is not None and raw.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "yaml"


def read_bytes_limited(path: str | os.PathLike, max_bytes: int, what: str = "model file") -> bytes:
    """The bytes of ``path``, refusing files over ``max_bytes``; every failure is one InputError line."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(f"{path}: is a directory, not a {what}")
        if size > max_bytes:
            raise InputError(
                f"{path}: file is {size:,} bytes, over the limit of {max_bytes:,} bytes; "
                f"raise it with --max-bytes or ECOGRAPH_MAX_BYTES if you trust this file")
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {what}") from None
    if len(raw) > max_bytes:  # grew while we read, or a special file
        raise InputError(f"{path}: file is over the limit of {max_bytes:,} bytes")
    return raw


def _check_alias_expansion(raw: bytes, source: str) -> None:
    """Refuse YAML whose aliases expand to far more nodes than the file holds (a 'billion laughs' bomb).

    Counts, from the event stream, how many nodes each anchor stands for once expanded, and stops as
    soon as the aliases add more than ``max(MAX_ALIAS_EXPANSION, nodes in the file)``.
    """
    sizes: dict[str, int] = {}
    stack: list[list] = []
    literal = 0
    expanded = 0
    for event in yaml.parse(raw, Loader=_Loader):
        if isinstance(event, yaml.ScalarEvent):
            literal += 1
            if stack:
                stack[-1][1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            literal += 1
            stack.append([event.anchor, 1])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, count = stack.pop()
            if anchor:
                sizes[anchor] = count
            if stack:
                stack[-1][1] += count
        elif isinstance(event, yaml.AliasEvent):
            count = sizes.get(event.anchor, 1)
            expanded += count
            if stack:
                stack[-1][1] += count
            if expanded > max(MAX_ALIAS_EXPANSION, literal):
                raise InputError(
                    f"{source}: YAML aliases expand to more than {max(MAX_ALIAS_EXPANSION, literal):,} "
                    f"nodes; refusing the file (an alias-expansion bomb?)")


def _syntax_problem(exc: Exception, source: str) -> Problem:
    if isinstance(exc, json.JSONDecodeError):
        return Problem("error", (), f"JSON syntax error: {exc.msg}", source=source, line=exc.lineno,
                       column=exc.colno)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = " ".join(x for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x)
    what = what or str(exc).splitlines()[0]
    p = Problem("error", (), f"YAML syntax error: {what}", source=source)
    if mark is not None:
        p.line, p.column = mark.line + 1, mark.column + 1
    return p


def _duplicate_problem(path: tuple, key: Any, source: str, line: int | None, column: int | None,
                       first_line: int | None) -> Problem:
    first = f" (first at line {first_line})" if first_line is not None else ""
    return Problem("error", path + (key,), f"duplicate key '{key}'{first}", at_key=True, source=source,
                   line=line, column=column)


def _path_to(data: Any, target: Any) -> tuple | None:
    """The path of the very object ``target`` inside ``data`` (depth first), or None."""
    stack = [((), data)]
    while stack:
        path, item = stack.pop()
        if item is target:
            return path
        if isinstance(item, dict):
            stack.extend((path + (k,), v) for k, v in item.items() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((path + (i,), v) for i, v in enumerate(item) if isinstance(v, (dict, list)))
    return None


def _json_duplicates(raw: bytes, data: Any, repeated: list, source: str) -> list[Problem]:
    # JSON's parser gives no positions: read the text again as YAML (JSON is YAML) for them, only
    # when a key was repeated; if that fails, the problems carry their data path instead.
    try:
        _, found = load_yaml_data(raw, _Loader)
    except (yaml.YAMLError, RecursionError, UnicodeDecodeError):
        found = []
    if found:
        return [_duplicate_problem(d.path, d.key, source, d.line, d.column, d.first_line) for d in found]
    return [_duplicate_problem(_path_to(data, mapping) or (), key, source, None, None, None)
            for mapping, key in repeated]


def read_data(raw: bytes, source: str, fmt: str, duplicates: list[Problem] | None = None) -> Any:
    """Parse bytes as YAML or JSON into plain data; syntax errors raise ModelValidationError.

    A mapping key given twice keeps its last value, as YAML and JSON parsers do; each such key is
    appended to ``duplicates`` (when given) as an error Problem located at the repeated key.
    """
    try:
        if fmt == "json":
            repeated: list = []

            def pairs_hook(pairs: list) -> dict:
                mapping = dict(pairs)
                if len(mapping) != len(pairs):
                    seen: set = set()
                    repeated.extend((mapping, k) for k, _ in pairs if k in seen or seen.add(k))
                return mapping

            data = json.loads(raw, object_pairs_hook=pairs_hook)
            if repeated and duplicates is not None:
                duplicates.extend(_json_duplicates(raw, data, repeated, source))
            return data
        if b"*" in raw and b"&" in raw:  # only files with anchors can hold a bomb; skip the scan otherwise
            _check_alias_expansion(raw, source)
        data, found = load_yaml_data(raw, _Loader)
        if duplicates is not None:
            duplicates.extend(_duplicate_problem(d.path, d.key, source, d.line, d.column, d.first_line)
                              for d in found)
        return data
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ModelValidationError([_syntax_problem(exc, source)], source) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply to be a model file") from None
    except MemoryError:
        pass  # raised below, once the traceback (and the data its frames hold) is released
    raise InputError(_out_of_memory(source, len(raw)))


def _out_of_memory(source: str, size: int) -> str:
    return (f"{source}: out of memory loading this {size:,}-byte model file (loading needs up to about "
            f"{MEMORY_PER_BYTE} times the file size); use a smaller file or allow more memory")


def locate_problems(problems: list[Problem], raw: bytes | None, source: str) -> list[Problem]:
    """Fill in source, line and column for each problem (from the YAML parser's events, without a
    node tree; JSON parses as YAML too), and sort them by position."""
    unlocated = [p for p in problems if p.line is None]
    places = locate_paths(raw, [p.path for p in unlocated], _Loader) if raw is not None and unlocated else {}
    for p in problems:
        p.source = source
        place = places.get((p.path, p.at_key)) if p.line is None else None
        if place is not None:
            p.line, p.column = place
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def parse_model_text(raw: bytes, source: str = "<text>", fmt: str = "yaml") -> LoadResult:
    """Parse and validate model bytes; never raises for invalid content (problems are in the result)."""
    duplicates: list[Problem] = []
    try:
        data = read_data(raw, source, fmt, duplicates)
    except ModelValidationError as exc:
        return LoadResult(source, None, exc.problems, raw)
    try:
        model, problems = validate_data(data, consume=True)
        del data  # the plain data is no longer needed; free it before locating problems
        if duplicates:
            model = None
            problems = duplicates + problems
        if problems:
            locate_problems(problems, raw, source)
        return LoadResult(source, model, problems, raw)
    except MemoryError:
        pass  # raised below, once the traceback (and the data its frames hold) is released
    data = model = problems = None
    raise InputError(_out_of_memory(source, len(raw)))


def check_file(path: str | os.PathLike, *, max_bytes: int | None = None) -> LoadResult:
    """Read and validate a model file; unreadable files raise InputError, invalid ones return problems."""
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    try:
        raw = read_bytes_limited(path, limit)
    except MemoryError:
        raw = None
    if raw is None:
        raise InputError(f"{path}: out of memory reading the file; use a smaller file or allow more memory")
    return parse_model_text(raw, str(path), format_for(path, raw))


def load_model(path: str | os.PathLike, *, max_bytes: int | None = None) -> Ecosystem:
    """Load a valid model or raise (InputError, or ModelValidationError listing every problem)."""
    result = check_file(path, max_bytes=max_bytes)
    if result.model is None:
        raise ModelValidationError(result.problems, str(path))
    return result.model


def dumps_model(model: Ecosystem, fmt: str = "yaml") -> str:
    """The model as YAML or JSON text."""
    data = model.to_data()
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=110)


@contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing (``mode`` "w" for UTF-8 text, "wb" for bytes)
    and move it onto ``path`` only when the block ends without an error, so ``path`` is either the old
    file or the complete new one, never half; on error the temporary file is removed."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    try:
        if "b" in mode:
            fh = os.fdopen(fd, mode, buffering=1 << 20)
        else:
            fh = os.fdopen(fd, mode, encoding="utf-8", newline="\n", buffering=1 << 20)
        with fh:
            yield fh
        publish_temp_file(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text so that ``path`` is either the old file or the complete new one, never half."""
    with atomic_writer(path, "w") as fh:
        fh.write(text)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write bytes so that ``path`` is either the old file or the complete new one, never half."""
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def _default_mode() -> int:
    # mkstemp creates 0600 files; a saved model should get the usual mode (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def publish_temp_file(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Give a finished temporary file the usual permissions and move it onto ``path`` in one step."""
    os.chmod(tmp, _default_mode())
    os.replace(tmp, path)


def save_model(model: Ecosystem, path: str | os.PathLike, fmt: str | None = None) -> None:
    """Write a model as YAML or JSON (by extension unless ``fmt`` is given), atomically."""
    try:
        write_text_atomic(path, dumps_model(model, fmt or format_for(path)))
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
