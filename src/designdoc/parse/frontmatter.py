"""Read YAML front matter safely, keeping the position of every key and value.

The block starts on the first line (after a BOM) with `---` and ends with `---`
or `...`.  It is read with PyYAML's event parser (libyaml when present): the
events carry exact positions, and building the small tree from them lets us

* refuse anchors, aliases and non-core tags before anything walks the data
  (an alias bomb is cheap to parse and ruinous to expand),
* cap nesting depth and size,
* report a duplicate key at its second occurrence, and
* keep every scalar as its raw text, so `version: 1.10` stays `"1.10"` and
  `status: no` stays `"no"`: YAML 1.1 coercions never reach a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from designdoc.model.text import LineIndex

try:  # libyaml is ~7x faster; the pure-Python parser gives the same events
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_BYTES = 64 * 1024
MAX_DEPTH = 10
_DELIMITER = re.compile(r"---[ \t]*")
_CLOSER = re.compile(r"(?:---|\.\.\.)[ \t]*")
_CORE_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map"))
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML node with its raw value and its place in the file.

    `value` is the scalar's text (None for a plain null), a tuple of Nodes for
    a sequence, or a tuple of (key, Node) pairs for a mapping.
    """

    kind: str  # "scalar" | "seq" | "map"
    value: object
    style: str  # scalar: "" plain, "'", '"', "|", ">"; collections: "flow" or "block"
    start: int  # offsets into the document text
    end: int
    line: int  # 1-based file line of the start
    column: int

    @property
    def is_null(self) -> bool:
        """Return True for a plain null scalar (`~`, `null`, nothing)."""
        return self.kind == "scalar" and self.value is None

    def items(self) -> tuple[Node, ...]:
        """Return the items of a sequence (a scalar counts as a one-item list)."""
        if self.kind == "seq":
            return self.value
        return () if self.is_null else (self,)


@dataclass(frozen=True, slots=True)
class Field:
    """A top-level key: its name, where the key is, and its value node."""

    key: str
    line: int
    column: int
    key_start: int
    node: Node


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason the front matter is invalid, at a 1-based line."""

    line: int
    column: int
    message: str
    fatal: bool
    # the key, for a duplicate-key problem: the fixer holds its fixes then, because a fix
    # reading that field would silently pick one of the values
    duplicate: str | None = None


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front matter block: delimiters, fields and problems."""

    start_line: int  # the opening `---`
    end_line: int | None  # the closing delimiter, None when unclosed
    content_start: int  # offset of the first YAML character
    content_end: int  # offset just past the YAML (start of the closing line)
    fields: dict[str, Field] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def fatal(self) -> bool:
        """Return True when no field can be trusted (unparsable, not a mapping, …)."""
        return any(p.fatal for p in self.problems)

    def get(self, key: str) -> Field | None:
        """Return the field named `key`, if the front matter is usable and has it."""
        return None if self.fatal else self.fields.get(key)


class _Invalid(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def find_block(lines: list[str]) -> tuple[int, int | None] | None:
    """Return (first, closing) 0-based line numbers of the block, or None if absent.

    `closing` is None when the block is never closed.
    """
    if not lines or not _DELIMITER.fullmatch(lines[0]):
        return None
    for number in range(1, len(lines)):
        if _CLOSER.fullmatch(lines[number]):
            return 0, number
    return 0, None


def body_line(front: FrontMatter | None) -> int:
    """Return the first line of the body: after the closing delimiter (line 2 when never closed)."""
    if front is None:
        return 1
    return front.end_line + 1 if front.end_line else 2


def parse(text: str, lines: list[str], index: LineIndex) -> FrontMatter | None:
    """Parse the front matter of a document, or return None when it has none."""
    block = find_block(lines)
    if block is None:
        return None
    _, closing = block
    content_start = index.offset(2)
    if closing is None:
        problem = Problem(1, 1, "Front matter is not closed (expected a '---' line)", True)
        return FrontMatter(1, None, content_start, content_start, problems=(problem,))
    content_end = index.offset(closing + 1)
    return _mapping(text, index, FrontMatter(1, closing + 1, content_start, content_end))


def parse_file(text: str, index: LineIndex, name: str) -> FrontMatter:
    """Parse a whole YAML file (a sidecar such as `kep.yaml`) with the front matter's limits.

    It is read as a block whose delimiters are the file's edges; problems name `name`
    where a front matter's would say "front matter".
    """
    found = _mapping(text, index, FrontMatter(0, 0, 0, len(text)))
    if not found.problems:
        return found
    renamed = tuple(Problem(p.line, p.column, _renamed(p.message, name), p.fatal, p.duplicate) for p in found.problems)
    return FrontMatter(found.start_line, found.end_line, found.content_start, found.content_end, found.fields, renamed)


def _renamed(message: str, name: str) -> str:
    return message.replace("Front matter", name).replace("front matter", name)


def _mapping(text: str, index: LineIndex, base: FrontMatter) -> FrontMatter:
    """Read the YAML between a block's delimiters into `base`'s fields, or its one fatal problem."""
    content_start, content_end = base.content_start, base.content_end
    source = text[content_start:content_end]
    if len(source.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return _with(base, Problem(1, 1, f"Front matter is over {MAX_BYTES // 1024} KiB", True))
    try:
        fields, problems = _read(source, content_start, index)
    except _Invalid as error:
        line, column = index.position(content_start + error.offset)
        return _with(base, Problem(line, column, error.message, True))
    except yaml.MarkedYAMLError as error:
        return _with(base, _yaml_problem(error, content_start, index))
    except yaml.YAMLError as error:  # ReaderError: NUL and other control characters
        # libyaml's ReaderError.position counts UTF-8 *bytes* (the pure-Python reader counts
        # characters), so after any non-ASCII text it points too far, even past the block.
        # Find the character the reader refuses ourselves: the same test in both loaders.
        bad = yaml.reader.Reader.NON_PRINTABLE.search(source)
        offset = bad.start() if bad is not None else getattr(error, "position", 0) or 0
        line, column = index.position(content_start + offset)
        reason = getattr(error, "reason", "unreadable character")
        return _with(base, Problem(line, column, f"Invalid front matter: {reason}", True))
    return FrontMatter(base.start_line, base.end_line, content_start, content_end, fields, tuple(problems))


def _with(base: FrontMatter, problem: Problem) -> FrontMatter:
    return FrontMatter(base.start_line, base.end_line, base.content_start, base.content_end, {}, (problem,))


def _yaml_problem(error: yaml.MarkedYAMLError, start: int, index: LineIndex) -> Problem:
    mark = error.problem_mark or error.context_mark
    offset = start + (mark.index if mark is not None else 0)
    line, column = index.position(offset)
    what = error.problem or error.context or "cannot be parsed"
    return Problem(line, column, f"Invalid front matter: {what}", True)


def _read(source: str, base: int, index: LineIndex) -> tuple[dict[str, Field], list[Problem]]:
    events = list(yaml.parse(source, Loader=_Loader))
    builder = _Builder(base, index)
    documents = [node for node in builder.build(events)]
    if not documents or documents[0] is None:
        raise _Invalid(0, "Front matter is empty (expected a mapping of fields)")
    if len(documents) > 1:
        raise _Invalid(0, "Front matter holds several YAML documents")
    root = documents[0]
    if root.kind != "map":
        raise _Invalid(root.start - base, f"Front matter is a {_KIND_NAMES[root.kind]}, not a mapping of fields")
    fields: dict[str, Field] = {}
    for key, key_node, value in builder.pairs[root.start]:
        fields.setdefault(key, Field(key, key_node.line, key_node.column, key_node.start, value))
    return fields, builder.problems


_KIND_NAMES = {"scalar": "single value", "seq": "list", "map": "mapping"}


class _Builder:
    """Build Nodes from parser events, refusing what is unsafe to walk."""

    def __init__(self, base: int, index: LineIndex) -> None:
        self.base = base
        self.index = index
        self.problems: list[Problem] = []
        self.pairs: dict[int, list[tuple[str, Node, Node]]] = {}

    def build(self, events: list[yaml.Event]) -> list[Node | None]:
        documents: list[Node | None] = []
        stack: list[tuple[yaml.Event, list[Node]]] = []
        for event in events:
            self._refuse_unsafe(event, len(stack))
            if isinstance(event, yaml.DocumentStartEvent):
                documents.append(None)
            elif isinstance(event, yaml.ScalarEvent):
                self._push(stack, documents, self._scalar(event))
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                stack.append((event, []))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                opener, children = stack.pop()
                self._push(stack, documents, self._collection(opener, event, children))
        return documents

    def _refuse_unsafe(self, event: yaml.Event, depth: int) -> None:
        offset = event.start_mark.index
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Invalid(offset, "Anchors and aliases are not allowed in front matter")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            raise _Invalid(offset, f"Tag {tag!r} is not allowed in front matter")
        if depth >= MAX_DEPTH and isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            raise _Invalid(offset, f"Front matter is nested over {MAX_DEPTH} levels")

    @staticmethod
    def _push(stack: list, documents: list, node: Node) -> None:
        if stack:
            stack[-1][1].append(node)
        else:
            documents[-1] = node

    def _node(self, kind: str, value: object, style: str, start: int, end: int) -> Node:
        line, column = self.index.position(self.base + start)
        return Node(kind, value, style, self.base + start, self.base + end, line, column)

    def _scalar(self, event: yaml.ScalarEvent) -> Node:
        style = event.style or ""
        value: str | None = event.value
        if style == "" and event.tag is None and value in _NULL_WORDS:
            value = None
        return self._node("scalar", value, style, event.start_mark.index, event.end_mark.index)

    def _collection(self, opener: yaml.Event, closer: yaml.Event, children: list[Node]) -> Node:
        style = "flow" if opener.flow_style else "block"
        start, end = opener.start_mark.index, closer.end_mark.index
        if isinstance(opener, yaml.SequenceStartEvent):
            return self._node("seq", tuple(children), style, start, end)
        node = self._node("map", (), style, start, end)
        pairs = self._pairs(children)
        self.pairs[node.start] = pairs
        first: dict[str, Node] = {}
        kept = []
        for key, key_node, value in pairs:
            if key in first:
                self.problems.append(
                    Problem(
                        key_node.line,
                        key_node.column,
                        f"Duplicate key {key!r} (first at line {first[key].line}; that value is used)",
                        False,
                        duplicate=key,
                    )
                )
                continue
            first[key] = key_node
            kept.append((key, value))
        return Node("map", tuple(kept), style, node.start, node.end, node.line, node.column)

    def _pairs(self, children: list[Node]) -> list[tuple[str, Node, Node]]:
        pairs = []
        for key_node, value in zip(children[0::2], children[1::2], strict=False):
            if key_node.kind != "scalar" or key_node.value is None:
                raise _Invalid(key_node.start - self.base, "Front matter keys must be plain words")
            pairs.append((str(key_node.value), key_node, value))
        return pairs
