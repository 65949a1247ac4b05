"""YAML read from PyYAML's event stream without a node tree: plain data (duplicate keys found), places."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

__all__ = ["DuplicateKey", "MAX_DEPTH", "load_yaml_data", "locate_paths"]

MAX_DEPTH = 1000
"""Collections nested deeper than this are refused (RecursionError) instead of being built."""

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
# The scalar tags the safe constructor builds; a collection tag on a scalar (or an unknown tag) is an error.
_SCALAR_TAGS = frozenset({_STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})
# Binary data is refused: pydantic would read it as text where the checks across items (ids, from, to) read
# only text, so a reference written as !!binary would slip past them.
_BINARY = "tag:yaml.org,2002:binary"
_NO_KEY = object()
_MERGE_KEY = object()
_INTERN_MAX = 64  # intern keys and short values (kinds, types, ids repeated in from/to): one copy each


@dataclass
class DuplicateKey:
    """A mapping key given twice: the path of its mapping, the key, where it is repeated and first given."""

    path: tuple
    key: Any
    line: int  # 1-based, of the repeated key
    column: int
    first_line: int


def _path(stack: list) -> tuple:
    # Frames: [dict, pending key, first lines of its keys, merges, start mark, last key mark] or
    # [list, start mark].
    out: list = []
    for frame in stack[:-1]:
        if len(frame) == 2:
            out.append(len(frame[0]))
        else:
            out.append(frame[1])
    return tuple(out)


def _merge(mapping: dict, sources: list, mark: Any) -> None:
    # YAML merge keys ("<<"): keys given in the mapping win, then the earlier merged mapping.
    merged: dict = {}
    for value, value_mark in sources:
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise ConstructorError("while constructing a mapping", mark,
                                       "expected a mapping or list of mappings for merging", value_mark)
            for k, v in source.items():
                merged.setdefault(k, v)
    explicit = dict(mapping)
    mapping.clear()
    mapping.update(merged)
    mapping.update(explicit)


def _duplicate_anchor(event: Any, anchor_marks: dict) -> ComposerError:
    first = anchor_marks[event.anchor].line + 1
    return ComposerError(None, None, f"duplicate anchor {event.anchor!r} (first at line {first})",
                         event.start_mark)


def load_yaml_data(raw: bytes, loader_class: type = yaml.SafeLoader) -> tuple[Any, list[DuplicateKey]]:
    """The data of a single-document YAML text, and every duplicate mapping key in it.

    Equivalent to ``yaml.load(raw, Loader=loader_class)`` for a safe loader (same tags, merge keys,
    anchors, errors with marks), but built from the parser's events: PyYAML's loader first composes
    a node tree, about 45 bytes of memory per byte of a model file, which this never holds. Collection
    tags other than ``!!map`` and ``!!seq`` (``!!set``, ``!!omap``...) are refused. Where a key is
    given twice the last value wins, as in PyYAML, and the repetition is reported.

    Raises yaml.YAMLError (with marks), UnicodeDecodeError, or RecursionError past MAX_DEPTH.

    >>> load_yaml_data(b"a: 1\\nb: [x, {c: null}]\\na: 2\\n")
    ({'a': 2, 'b': ['x', {'c': None}]}, [DuplicateKey(path=(), key='a', line=3, column=1, first_line=1)])
    """
    loader = loader_class(raw)
    try:
        return _build(loader)
    finally:
        loader.dispose()


def _build(loader: Any) -> tuple[Any, list[DuplicateKey]]:
    get = loader.get_event
    resolve = loader.resolve
    constructors = loader.yaml_constructors
    intern = sys.intern
    duplicates: list[DuplicateKey] = []
    anchors: dict[str, Any] = {}
    anchor_marks: dict[str, Any] = {}
    stack: list[list] = []
    root: Any = None

    get()  # StreamStartEvent
    event = get()
    if type(event) is StreamEndEvent:
        return None, duplicates
    document_mark = event.start_mark
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            value = event.value
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(ScalarNode, value, event.implicit)
            if tag == _STR:
                if len(value) <= _INTERN_MAX:
                    value = intern(value)
            elif stack and len(stack[-1]) > 2 and stack[-1][1] is _NO_KEY and tag in (_MERGE, _VALUE):
                value = _MERGE_KEY if tag == _MERGE else "="
            elif tag == _BINARY:
                raise ConstructorError(None, None, "binary data (!!binary) cannot be a value of a model file; "
                                                   "write it as text", event.start_mark)
            elif tag in _SCALAR_TAGS:
                value = constructors[tag](loader, ScalarNode(tag, value, event.start_mark, event.end_mark,
                                                              event.style))
            else:
                raise ConstructorError(None, None, f"could not determine a constructor for the tag {tag!r}",
                                       event.start_mark)
            mark = event.start_mark
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            tag = event.tag
            if tag is not None and tag != "!" and tag != (_MAP if kind is MappingStartEvent else _SEQ):
                raise ConstructorError(None, None, f"could not determine a constructor for the tag {tag!r}",
                                       event.start_mark)
            if len(stack) >= MAX_DEPTH:
                raise RecursionError("nested too deeply")
            container: Any = {} if kind is MappingStartEvent else []
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _duplicate_anchor(event, anchor_marks)
                anchors[event.anchor] = container
                anchor_marks[event.anchor] = event.start_mark
            stack.append([container, _NO_KEY, [], None, event.start_mark, event.start_mark]
                         if kind is MappingStartEvent else [container, event.start_mark])
            continue
        elif kind is MappingEndEvent:
            frame = stack.pop()
            value = frame[0]
            if frame[3] is not None:
                _merge(value, frame[3], frame[4])
            mark = frame[5]
        elif kind is SequenceEndEvent:
            value, mark = stack.pop()
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            value = anchors[event.anchor]
            mark = event.start_mark
        else:  # DocumentEndEvent
            break
        if kind is ScalarEvent and event.anchor is not None:
            if event.anchor in anchors:
                raise _duplicate_anchor(event, anchor_marks)
            anchors[event.anchor] = value
            anchor_marks[event.anchor] = event.start_mark
        # Put the finished value into its parent.
        if not stack:
            root = value
            continue
        frame = stack[-1]
        if len(frame) == 2:
            frame[0].append(value)
        elif frame[1] is _NO_KEY:  # a key
            if value is not _MERGE_KEY:
                try:
                    hash(value)
                except TypeError:
                    raise ConstructorError("while constructing a mapping", frame[4], "found unhashable key",
                                           mark) from None
            frame[1] = value
            frame[5] = mark  # where the key is, for duplicates (a collection key: its mapping's start)
        else:
            key = frame[1]
            frame[1] = _NO_KEY
            if key is _MERGE_KEY:
                if frame[3] is None:
                    frame[3] = []
                frame[3].append((value, frame[5]))
                continue
            mapping = frame[0]
            key_mark = frame[5]
            if key in mapping:
                first = frame[2][list(mapping).index(key)]
                duplicates.append(DuplicateKey(_path(stack), key, key_mark.line + 1, key_mark.column + 1,
                                               first + 1))
            else:
                frame[2].append(key_mark.line)
            mapping[key] = value
    event = get()
    if type(event) is not StreamEndEvent:
        raise ComposerError("expected a single document in the stream", document_mark,
                            "but found another document", event.start_mark)
    return root, duplicates


def _plain_path(path: tuple) -> tuple:
    # Mapping keys are matched by their text (as written), sequence items by their index.
    return tuple(part if type(part) is int else str(part) for part in path)


def locate_paths(raw: bytes, paths: list[tuple], loader_class: type = yaml.SafeLoader) -> dict[tuple, Any]:
    """Where each data path is in a YAML (or JSON) text, read from the parser's events (no node tree).

    Returns a dict from ``(path, at_key)`` to the 1-based ``(line, column)`` of the value at ``path``,
    or of its key for ``at_key``; a path that does not exist gets the place of its deepest existing
    parent. A key given twice is found at its last place (the value loaded). Stops quietly at a syntax
    error, with the places found so far.

    >>> places = locate_paths(b"a:\\n  - x\\n  - {b: 1}\\n", [("a", 1, "b"), ("a", 1, "c")])
    >>> places[(("a", 1, "b"), False)], places[(("a", 1, "b"), True)], places[(("a", 1, "c"), False)]
    ((3, 9), (3, 6), (3, 5))
    """
    wanted = [_plain_path(path) for path in paths]
    prefixes = {path[:n] for path in wanted for n in range(len(path) + 1)}
    values: dict[tuple, Any] = {}
    keys: dict[tuple, Any] = {}
    loader = loader_class(raw)
    try:
        _walk(loader, prefixes, values, keys)
    except (yaml.YAMLError, UnicodeDecodeError):
        pass
    finally:
        loader.dispose()
    found: dict[tuple, Any] = {}
    for path, plain in zip(paths, wanted):
        for at_key in (False, True):
            mark = keys.get(plain) if at_key else None
            for n in range(len(plain), -1, -1):
                if mark is not None:
                    break
                mark = values.get(plain[:n])
            if mark is not None:
                found[(path, at_key)] = (mark.line + 1, mark.column + 1)
    return found


def _walk(loader: Any, prefixes: set, values: dict, keys: dict) -> None:
    get = loader.get_event
    # Frames: [path, next index] for a sequence; [path, None, current key or _NO_KEY] for a mapping.
    stack: list[list] = []
    skip = 0  # depth inside a subtree no wanted path goes through
    while True:
        event = get()
        kind = type(event)
        if kind is StreamEndEvent:
            return
        starts = kind is MappingStartEvent or kind is SequenceStartEvent
        if skip:
            skip += 1 if starts else -1 if kind is MappingEndEvent or kind is SequenceEndEvent else 0
            continue
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            continue
        if not (starts or kind is ScalarEvent or kind is AliasEvent):
            continue  # stream and document events
        if not stack:
            path: Any = ()
        else:
            frame = stack[-1]
            if frame[1] is not None:  # a sequence item
                path = frame[0] + (frame[1],)
                frame[1] += 1
            elif frame[2] is _NO_KEY:  # a key
                frame[2] = event.value if kind is ScalarEvent else None
                if frame[2] is not None and frame[0] + (frame[2],) in prefixes:
                    keys[frame[0] + (frame[2],)] = event.start_mark
                if starts:
                    skip = 1  # a collection as a key: nothing to find inside
                continue
            else:
                path = frame[0] + (frame[2],)
                frame[2] = _NO_KEY
        if path not in prefixes:
            if starts:
                skip = 1
            continue
        values[path] = event.start_mark
        if starts:
            stack.append([path, None, _NO_KEY] if kind is MappingStartEvent else [path, 0])
