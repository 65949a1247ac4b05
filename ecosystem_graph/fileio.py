"""Reading and writing model files (YAML and JSON): size limit, alias-bomb guard, locations, atomic save."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator

import yaml

from .errors import InputError, ModelValidationError, OutputError
from .problems import Problem

if TYPE_CHECKING:  # the pydantic model loads only where a model is validated (a quick check needs none)
    from .model import Ecosystem
from .yaml_data import load_yaml_data, locate_paths

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_CEILING",
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
    "check_input_file",
    "publish_temp_file",
    "format_for",
    "output_target",
    "remove_stale_temporaries",
    "OutputBatch",
    "atomic_outputs",
]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused (override with ``ECOGRAPH_MAX_BYTES`` or ``--max-bytes``)."""

MAX_BYTES_CEILING = 1 << 40
"""The largest size limit ``ECOGRAPH_MAX_BYTES`` and ``--max-bytes`` accept (1 TiB)."""

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


_RANGE_KEYS = frozenset({"low", "base", "high", "dist"})


def _represent_mapping(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    # A range stays on the line of its property, as people write it: `amount: {low: 30, base: 35, high: 40}`.
    flow = "base" in data and data.keys() <= _RANGE_KEYS
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True if flow else None)


_NoAliasDumper.add_representer(dict, _represent_mapping)


@dataclass
class LoadResult:
    """A model (None when invalid) and every problem found in its file, located."""

    source: str
    model: Ecosystem | None
    problems: list[Problem] = field(default_factory=list)
    raw: bytes | None = None  # the bytes that were validated (for hashes, comments), when read from bytes
    vouched: tuple[int, int] | None = None
    """Node and relationship counts of a file the quick check vouched for (``check_file(build_model=False)``):
    valid, with no problem, and no model built."""

    @property
    def valid(self) -> bool:
        """True when the file holds a valid model (warnings allowed)."""
        return self.model is not None or self.vouched is not None

    @property
    def counts(self) -> tuple[int, int]:
        """Numbers of nodes and relationships of a valid file."""
        if self.model is not None:
            return len(self.model.nodes), len(self.model.relationships)
        if self.vouched is None:
            raise ValueError(f"{self.source} holds no valid model")
        return self.vouched

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def max_bytes_from_env() -> int:
    """The size limit from ``ECOGRAPH_MAX_BYTES`` (1 to :data:`MAX_BYTES_CEILING`), else the default."""
    raw = os.environ.get("ECOGRAPH_MAX_BYTES")
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:  # not a number, or more digits than Python converts
        value = 0
    if not 1 <= value <= MAX_BYTES_CEILING:
        raise InputError(f"ECOGRAPH_MAX_BYTES must be a whole number of bytes from 1 to {MAX_BYTES_CEILING:,} "
                         f"(1 TiB), not '{raw[:40]}'")
    return value


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


_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX; elsewhere there are no FIFOs to swap in


def _os_error_text(path: str | os.PathLike, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    if exc.errno == errno.ELOOP:
        return f"{path}: too many levels of symbolic links (a symlink loop?)"
    return f"{path}: cannot read ({exc.strerror or exc})"


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _check_stat(path: str | os.PathLike, st: os.stat_result, max_bytes: int, what: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: is a {_file_type(st.st_mode)}, not a regular file; give a {what}")
    if st.st_size > max_bytes:
        raise InputError(
            f"{path}: file is {st.st_size:,} bytes, over the limit of {max_bytes:,} bytes; "
            f"raise it with --max-bytes or ECOGRAPH_MAX_BYTES if you trust this file")


def check_input_file(path: str | os.PathLike, max_bytes: int, what: str = "model file") -> os.stat_result:
    """Refuse, before opening it, what is not a regular file of at most ``max_bytes`` (a FIFO would
    hang, a device never ends, a symlink loop never resolves); every failure is one InputError line."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(_os_error_text(path, exc)) from None
    _check_stat(path, st, max_bytes, what)
    return st


def read_bytes_limited(path: str | os.PathLike, max_bytes: int, what: str = "model file") -> bytes:
    """The bytes of ``path``, refusing files over ``max_bytes`` and anything but a regular file;
    every failure is one InputError line."""
    check_input_file(path, max_bytes, what)
    try:
        # Non-blocking, so that a FIFO swapped in after the check cannot hang the open; the fstat
        # below then refuses it (the file read is the file checked).
        fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(_os_error_text(path, exc)) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        _check_stat(path, st, max_bytes, what)
        if _O_NONBLOCK:
            os.set_blocking(fd, True)
        try:
            # Sized by the file, not the limit: read(n) reserves n bytes up front (and loops past
            # the 2 GiB a single read(2) returns).
            chunks = [fh.read(st.st_size + 1)]
            total = len(chunks[0])
            while total > st.st_size and total <= max_bytes:  # it grew while we read
                chunk = fh.read(min(1 << 24, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError as exc:
            raise InputError(_os_error_text(path, exc)) from None
    if total > max_bytes:
        raise InputError(f"{path}: file is over the limit of {max_bytes:,} bytes")
    return b"".join(chunks)


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
    except ValueError as exc:  # a value the parser cannot build: an over-long integer, a 13th month
        raise ModelValidationError([_value_problem(exc, raw, source)], source) from None
    except MemoryError:
        pass  # raised below, once the traceback (and the data its frames hold) is released
    raise InputError(_out_of_memory(source, len(raw)))


def _value_problem(exc: ValueError, raw: bytes, source: str) -> Problem:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    digits = re.search(rb"[0-9][0-9_]{%d,}" % limit, raw) if limit else None
    if digits is None:
        return Problem("error", (), f"cannot read a value: {exc}", source=source)
    line = raw.count(b"\n", 0, digits.start()) + 1
    column = digits.start() - raw.rfind(b"\n", 0, digits.start())
    return Problem("error", (), f"a number of {len(digits.group()):,} digits; numbers may have at most "
                                f"{limit:,} digits", source=source, line=line, column=column)


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


def parse_model_text(raw: bytes, source: str = "<text>", fmt: str = "yaml", *, build_model: bool = True) -> LoadResult:
    """Parse and validate model bytes; never raises for invalid content (problems are in the result).

    With ``build_model=False`` (``ecograph validate``), data that :func:`ecosystem_graph.quickcheck.vouch`
    vouches for comes back valid without a model (``result.vouched`` holds its counts); any other data is
    validated by the model as usual, so its problems are the same either way.
    """
    duplicates: list[Problem] = []
    try:
        data = read_data(raw, source, fmt, duplicates)
    except ModelValidationError as exc:
        return LoadResult(source, None, exc.problems, raw)
    references = None
    if not build_model and not duplicates and isinstance(data, dict):
        from .quickcheck import vouch
        from .references import check_references

        try:
            references = check_references(data)  # the model below reuses them (they read the plain data)
            vouched = vouch(data, references=references)  # reads the data without changing it
        except MemoryError:
            vouched = False  # the model reads the items one by one (consume), in less memory
        if vouched:
            return LoadResult(source, None, [], raw,
                              vouched=(len(data.get("nodes", [])), len(data.get("relationships", []))))
    from .validation import validate_data

    try:
        model, problems = validate_data(data, consume=True, references=references)
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


def check_file(path: str | os.PathLike, *, max_bytes: int | None = None, build_model: bool = True) -> LoadResult:
    """Read and validate a model file; unreadable files raise InputError, invalid ones return problems.

    ``build_model=False``: see :func:`parse_model_text`.
    """
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    try:
        raw = read_bytes_limited(path, limit)
    except MemoryError:
        raw = None
    if raw is None:
        raise InputError(f"{path}: out of memory reading the file; use a smaller file or allow more memory")
    return parse_model_text(raw, str(path), format_for(path, raw), build_model=build_model)


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


# ------------------------------------------------------------------------------------ writing outputs
#
# Every command that writes a file goes through output_target() and OutputBatch: the content goes to a
# temporary file beside its target (named .NAME.<pid>.<random>.tmp so that leftovers of a killed run can be
# recognised), and only once every file of the output is complete are they renamed onto their targets,
# one after the other, with SIGINT/SIGTERM/SIGHUP held back until the last rename is done.

_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]{1,20})\.[A-Za-z0-9_]{1,32}\.tmp")

_FILE_KINDS = ((stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
               (stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISSOCK, "socket"))


def output_target(path: str | os.PathLike) -> Path:
    """The file that writing ``path`` creates or replaces: ``path`` with every symlink followed
    (the links stay links). Raises OutputError when that is anything but a regular file or a new
    name (a directory, a device such as /dev/null, a FIFO, a socket), a symlink loop, or ``-``.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> os.symlink("real.html", os.path.join(d, "link.html"))
    >>> output_target(os.path.join(d, "link.html")).name
    'real.html'
    >>> output_target("/dev/null")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecosystem_graph.errors.OutputError: /dev/null: is a character device, not a regular file; ...
    """
    if os.fspath(path) == "-":  # the usual spelling of standard output: never a file named '-'
        raise OutputError("-o -: ecograph writes to a file, not to standard output; give a file name")
    try:
        st = os.stat(path)  # what the links lead to (a /dev/stdout link may lead to a pipe with no name)
    except FileNotFoundError:
        return Path(os.path.realpath(path))  # a new file, or the missing target of a dangling link
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{path}: is a symlink loop, not a file") from None
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    if stat.S_ISREG(st.st_mode):
        return Path(os.path.realpath(path))
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    kind = next((name for test, name in _FILE_KINDS if test(st.st_mode)), "special file")
    raise OutputError(f"{path}: is a {kind}, not a regular file; ecograph writes only regular files "
                      f"and never replaces anything else")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, ValueError):
        return False
    except OSError:  # EPERM: the process exists and belongs to someone else
        return True
    return True


def remove_stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary files ``.NAME.<pid>.<random>.tmp`` of ``target`` left behind by a process
    that no longer runs (a run killed with SIGKILL), and return their paths. Temporaries of running
    processes, and files of any other name, are left alone."""
    t = Path(target)
    parent = t.parent if str(t.parent) else Path(".")
    removed: list[Path] = []
    prefix = f".{t.name}."
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.fullmatch(entry.name)
        if not m or m["name"] != t.name:
            continue
        pid = int(m["pid"])
        if pid == os.getpid() or _pid_alive(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _default_mode() -> int:
    # mkstemp creates 0600 files; a new output gets the usual mode (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _take_over_mode(tmp: str | os.PathLike, target: Path) -> None:
    """Give ``tmp`` the permission bits (and, where allowed, the owner) of the file it replaces, or
    the usual mode of a new file. Set-id and sticky bits are never carried over."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        os.chmod(tmp, _default_mode())
        return
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:  # not allowed (not root): the new file belongs to whoever wrote it
            pass
    os.chmod(tmp, stat.S_IMODE(st.st_mode) & 0o777)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the block runs, then act on the first one that came."""
    import signal  # only when writing: reading and validating start faster without it
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None or signal.getsignal(sig) in (signal.SIG_IGN, None):
            continue
        previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])


class OutputBatch:
    """Files of one output, each written to a temporary file beside its target, then published together.

    Use it through :func:`atomic_outputs`. :meth:`publish` renames the temporaries onto their targets
    in the order they were opened, one right after the other, once every one is complete; until
    then no target changes. :meth:`discard` removes the temporaries not published.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path, str]] = []  # (temporary, target, path as given)

    @contextmanager
    def open(self, path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
        """A file object to write the content of ``path`` (``mode`` "w": UTF-8 text, "wb": bytes)."""
        target = output_target(path)
        remove_stale_temporaries(target)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        self._staged.append((tmp, target, str(path)))
        if "b" in mode:
            fh = os.fdopen(fd, mode, buffering=1 << 20)
        else:
            fh = os.fdopen(fd, mode, encoding="utf-8", newline="\n", buffering=1 << 20)
        try:
            with fh:
                yield fh
        except OSError as exc:  # a full disk, a quota
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None

    def write_text(self, path: str | os.PathLike, text: str) -> None:
        with self.open(path, "w") as fh:
            fh.write(text)

    def write_bytes(self, path: str | os.PathLike, data: bytes) -> None:
        with self.open(path, "wb") as fh:
            fh.write(data)

    @property
    def targets(self) -> list[Path]:
        """The files this batch writes (symlinks resolved), in publishing order."""
        return [target for _, target, _ in self._staged]

    def publish(self) -> None:
        """Move every temporary onto its target, in order, after checking that each target is still
        a regular file or absent."""
        for tmp, target, given in self._staged:
            output_target(target)
            try:
                _take_over_mode(tmp, target)
            except OSError as exc:
                raise OutputError(f"{given}: cannot write ({exc.strerror or exc})") from None
        with _signals_held():
            while self._staged:
                tmp, target, given = self._staged[0]
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise OutputError(f"{given}: cannot write ({exc.strerror or exc})") from None
                self._staged.pop(0)

    def discard(self) -> None:
        """Remove the temporaries that were not published."""
        while self._staged:
            tmp, _, _ = self._staged.pop()
            try:
                os.unlink(tmp)
            except OSError:
                pass


@contextmanager
def atomic_outputs() -> Iterator[OutputBatch]:
    """Write several files so that they appear together or not at all.

    Every file is written to a temporary beside its target; when the block ends without an error
    they are renamed onto their targets in a row (the order they were opened: open the file that
    refers to the others last); on any error, KeyboardInterrupt included, every temporary is removed
    and no target has changed.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> with atomic_outputs() as out:
    ...     out.write_text(os.path.join(d, "a.csv"), "a\\n")
    ...     out.write_text(os.path.join(d, "b.csv"), "b\\n")
    ...     [name for name in os.listdir(d) if not name.startswith(".")]  # nothing visible yet
    []
    >>> sorted(os.listdir(d))
    ['a.csv', 'b.csv']
    """
    batch = OutputBatch()
    try:
        yield batch
        batch.publish()
    finally:
        batch.discard()


@contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing (``mode`` "w" for UTF-8 text, "wb" for bytes)
    and move it onto ``path`` only when the block ends without an error, so ``path`` is either the old
    file or the complete new one, never half; on error the temporary file is removed.

    A symlink at ``path`` is followed and its target replaced (the link stays); anything that is not
    a regular file (a device, a FIFO, a socket, a directory) is refused with OutputError; the
    replaced file's permission bits are kept."""
    with atomic_outputs() as batch:
        with batch.open(path, mode) as fh:
            yield fh


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text so that ``path`` is either the old file or the complete new one, never half."""
    with atomic_writer(path, "w") as fh:
        fh.write(text)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write bytes so that ``path`` is either the old file or the complete new one, never half."""
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def publish_temp_file(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Move a finished temporary file onto ``path`` (its symlinks followed) in one step, with the
    permission bits of the file it replaces, or the usual ones for a new file."""
    target = output_target(path)
    _take_over_mode(tmp, target)
    os.replace(tmp, target)


def save_model(model: Ecosystem, path: str | os.PathLike, fmt: str | None = None) -> None:
    """Write a model as YAML or JSON (by extension unless ``fmt`` is given), atomically."""
    try:
        write_text_atomic(path, dumps_model(model, fmt or format_for(path)))
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
