"""Plain data from YAML built straight from PyYAML's event stream: no node tree, duplicate keys found."""

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

__all__ = ["DuplicateKey", "MAX_DEPTH", "load_yaml_data"]

MAX_DEPTH = 1000
"""Collections nested deeper than this are refused (RecursionError) instead of being built."""

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
# The scalar tags the safe constructor builds; a collection tag on a scalar (or an unknown tag) is an error.
_SCALAR_TAGS = frozenset({_STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:binary",
                          "tag:yaml.org,2002:timestamp"})
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
