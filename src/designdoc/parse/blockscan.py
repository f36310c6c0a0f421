"""A fast block scanner for the Markdown that design documents contain.

`scan(source, first_line)` returns exactly the `Body` that markdown-it-py's block
parser yields (`markdownit.parse_with_markdown_it`, the reference), or None when
the body holds a construct the scanner does not handle; `markdown.parse_body`
then falls back to markdown-it-py.

How: the block rules of the pinned markdown-it-py (which implements CommonMark
0.31 plus GFM tables) are ported onto a list of lines, with the same per-line
state (first non-blank position, indent width) and the same container
mechanics (block quotes rewrite their lines' state, list items raise the
indent, lazy continuation lines are paragraph lines), but without tokens: the
scanner records only what `Body` holds.  It dispatches on a line's first
character instead of trying every rule in turn, which is where the time goes.

Handled: ATX headings, paragraphs (lazy continuation lines included), bullet
and ordered lists at any depth, fenced code (``` and ~~~, longer or missing
closers), indented code, block quotes, GFM tables, thematic breaks, one-line
link reference definitions, and HTML blocks that are comments (`<!--`), start
with a block-level tag (`<div`, `<details`...) or are a lone open/close tag.
Tabs count to the next multiple of 4, as markdown-it counts them.

Not handled, so the scanner returns None (markdown-it-py decides):

- a setext heading underline (`===` / `---`) under a paragraph line;
- a link reference definition other than `[label]: destination` on one line
  (a title, a `<destination>`, escapes or entities, a label over lines);
- HTML blocks opened by `<script`, `<pre`, `<style`, `<textarea`, `<?`,
  `<!X` or `<![CDATA[`;
- a tab among the container markers and blanks that open a block-quote line
  (its width then depends on the `>` column, markdown-it's `bsCount`);
- NUL characters (markdown-it replaces them);
- containers nested more than `_MAX_DEPTH` deep (markdown-it stops parsing at
  its nesting limit);
- a table with so many cells that markdown-it's cell limit could apply.

Set `DESIGNDOC_NO_BLOCKSCAN=1` in the environment to skip the scanner and
always parse with markdown-it-py (to compare the two end to end).
"""

from __future__ import annotations

import re

from markdown_it.rules_block.html_block import HTML_SEQUENCES

from designdoc.parse.blocks import Block, Body, Item

_MAX_DEPTH = 8  # markdown-it's maxNesting is 20 levels; a list nests 2 levels, a quote 1
_MAX_TABLE_CELLS = 0x10000  # markdown-it stops a table once it would invent this many cells

# markdown-it's `mdTrim`: JavaScript's String.prototype.trim set, without U+FEFF
_TRIM = "\t\n\x0b\x0c\r \xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"

_NEWLINES = re.compile(r"\r\n?")
_DELIMITER_TAIL = re.compile(r"[-:| \t]*")
_DELIMITER_CELL = re.compile(r"^:?-+:?$")  # searched, as markdown-it does
_UNDERLINE = re.compile(r"(?:=+|-+)[ \t]*")
# a tab among a line's container markers (`>`, list markers) and blanks
_PREFIX_TAB = re.compile(r"[ >*+\-.)0-9]*\t")
# CommonMark 4.1: three or more of one of `*-_`, and blanks
_THEMATIC_BREAK = {marker: re.compile(f"(?:{re.escape(marker)}[ \t]*){{3,}}") for marker in "*-_"}
# the first characters of the blocks that may interrupt a paragraph (a table aside: it
# starts at any line with a `|`), and of those that may start where a paragraph could
_INTERRUPTING = frozenset("`~>*-_+0123456789<#")
_STARTING = _INTERRUPTING | {"["}
_LIST_FIRST = frozenset("*-+0123456789")
# a one-line link reference definition with a plain destination and, maybe, a title on its line
_LABEL_STOP = re.compile(r"[\[\]\\]")
# the destination: plain (an `&` that starts no entity is fine, parentheses balanced one deep),
# or `<…>` without escapes
_DESTINATION = (
    r"\[([^\[\]\\]*)\]:[ \t]*"
    r"((?:[^\s()<>\\&\x00-\x1f\x7f]|&(?![#A-Za-z0-9]+;)|\([^\s()<>\\&\x00-\x1f\x7f]*\))+|<[^<>\n\\&]*>)"
)
_REFERENCE = re.compile(_DESTINATION + r"""(?:[ \t]+("[^"\\]*"|'[^'\\]*'|\([^()\\]*\)))?[ \t]*""")
# a destination followed by words: no definition (markdown-it finds no title, then text), a paragraph
_WORDS_AFTER = re.compile(_DESTINATION + r"""[ \t]+[^"'(\s]""")
_UNSAFE_SCHEME = re.compile(r"(?i)(?:vbscript|javascript|file|data):")  # markdown-it's validateLink

# CommonMark 4.6: how the seven kinds of HTML block start, numbered as in the spec
# (kinds 1-6 may interrupt a paragraph, kind 7 may not): markdown-it's own patterns
_HTML_STARTS = tuple((start, kind) for kind, (start, _end, _interrupts) in enumerate(HTML_SEQUENCES, 1))

# the rules that may end a paragraph, a block quote, a list (markdown-it's "alt" chains)
_PARAGRAPH, _QUOTE, _LIST = 0, 1, 2


class _Fallback(Exception):
    """The scanner met a construct it does not handle."""


def scan(source: str, first_line: int) -> Body | None:
    """Return the Body of `source` (first line is file line `first_line`), or None to fall back."""
    if "\r" in source:
        source = _NEWLINES.sub("\n", source)  # markdown-it's normalize step
    if "\0" in source:
        return None
    scanner = _Scanner(source)
    try:
        return scanner.body(first_line - 1)
    except _Fallback:
        return None


def _indent(line: str, limit: int | None = None) -> tuple[int, int]:
    """Return the position of the first non-blank character and the indent width (tab stops of 4),
    stopping once the width reaches `limit`."""
    pos = width = 0
    for ch in line:
        if limit is not None and width >= limit:
            break
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
        pos += 1
    return pos, width


def _dedent(line: str, indent: int) -> str:
    """Remove up to `indent` columns of leading blanks, splitting a tab when needed (`getLines`)."""
    if line.startswith(" " * indent):
        return line[indent:]
    pos, width = _indent(line, indent)
    return " " * (width - indent) + line[pos:] if width > indent else line[pos:]


def _bullet_end(line: str, pos: int) -> int:
    """Return the position after a bullet list marker at `pos`, or -1 (CommonMark 5.2)."""
    if pos >= len(line) or line[pos] not in "*-+":
        return -1
    pos += 1
    if pos < len(line) and line[pos] not in " \t":
        return -1
    return pos


def _ordered_end(line: str, pos: int) -> int:
    """Return the position after an ordered list marker (1-9 digits, `.` or `)`) at `pos`, or -1."""
    start, end = pos, len(line)
    if pos + 1 >= end or not "0" <= line[pos] <= "9":
        return -1
    pos += 1
    while True:
        if pos >= end:
            return -1
        ch = line[pos]
        pos += 1
        if "0" <= ch <= "9":
            if pos - start >= 10:
                return -1
            continue
        if ch in ").":
            break
        return -1
    if pos < end and line[pos] not in " \t":
        return -1
    return pos


def _escaped_split(text: str) -> list[str]:
    """Split a table row at its unescaped pipes (markdown-it's `escapedSplit`)."""
    if "\\" not in text:
        return text.split("|")
    result: list[str] = []
    current = ""
    last = 0
    escaped = False
    for pos, ch in enumerate(text):
        if ch == "|":
            if not escaped:
                result.append(current + text[last:pos])
                current = ""
                last = pos + 1
            else:
                current += text[last : pos - 1]
                last = pos
        escaped = ch == "\\"
    result.append(current + text[last:])
    return result


def _opens_fence(text: str, pos: int) -> bool:
    """Return True when a code fence opens at `pos` (CommonMark 4.5)."""
    if pos + 3 > len(text):
        return False
    marker = text[pos]
    run = len(text) - len(text[pos:].lstrip(marker)) - pos
    # a backtick fence's info string may not hold a backtick
    return run >= 3 and not (marker == "`" and "`" in text[pos + run :])


def _is_hr(text: str, pos: int) -> bool:
    """Return True for a thematic break at `pos`: 3+ of one of `*-_`, blanks between (CommonMark 4.1)."""
    marker = text[pos]
    # the line ends with the marker or a blank: a cheap test that rules out list items
    return text[-1] in (marker, " ", "\t") and _THEMATIC_BREAK[marker].fullmatch(text, pos) is not None


def _heading_level(text: str, pos: int) -> tuple[int, int]:
    """Return (level, position after the `#`s) of an ATX heading at `pos`, level 0 for none."""
    end = len(text)
    level = 1
    pos += 1
    while pos < end and text[pos] == "#" and level <= 6:
        level += 1
        pos += 1
    if level > 6 or (pos < end and text[pos] not in " \t"):
        return 0, pos
    return level, pos


def _label_end(text: str, pos: int) -> int:
    """Return where the link label opening at `pos` closes, -1 for no label, -2 if the line ends first."""
    pos += 1
    while True:
        found = _LABEL_STOP.search(text, pos)
        if found is None:
            return -2
        ch, pos = found.group(), found.start()
        if ch == "[":
            return -1  # a label holds no unescaped `[`
        if ch == "]":
            return pos
        pos += 2  # a backslash escapes the next character


def _starts_paragraph(text: str, pos: int) -> bool:
    """Return True when the (non-code, pipe-free) line `text` surely starts a paragraph at `pos`.

    The rules tried first (markdown-it's order, as in `_Scanner.block`) must all fail; a
    `[` must surely not open a link reference definition.
    """
    first = text[pos]
    if first not in _STARTING:
        return True
    if first in "*-_" and _is_hr(text, pos):
        return False
    if first in "*-+":
        return _bullet_end(text, pos) < 0
    if "0" <= first <= "9":
        return _ordered_end(text, pos) < 0
    if first == "`" or first == "~":
        return not _opens_fence(text, pos)
    if first == "#":
        return _heading_level(text, pos)[0] == 0
    if first == "[":
        end = _label_end(text, pos)
        return end == -1 or end >= 0 and text[end + 1 : end + 2] != ":"
    if first == "<":
        return _html_kind(text[pos:]) == 0
    return first == "_"  # not a thematic break; `>` opens a block quote


def _html_kind(text: str) -> int:
    """Return the kind (1-7) of HTML block that `text` starts, 0 for none (CommonMark 4.6)."""
    for pattern, kind in _HTML_STARTS:
        if pattern.search(text):
            return kind
    return 0


class _Scanner:
    """markdown-it's block state, on lines: `pos` and `width` are rewritten inside containers."""

    __slots__ = (
        "lines",
        "lengths",
        "pos",
        "width",
        "tail",
        "line_max",
        "indent",
        "list_indent",
        "line",
        "depth",
        "items",
        "headings",
        "code",
        "level",
        "text",
        "content",
    )

    def __init__(self, source: str) -> None:
        lines = source.split("\n")
        self.tail = len(lines) - 1  # the line with no line break after it, -1 for none
        if not lines[-1].strip(" \t"):  # markdown-it counts no final line of blanks only
            lines.pop()
            self.tail = -1
        self.lines = lines
        self.lengths = [len(line) for line in lines]
        if "\t" in source:
            self.pos, self.width = [], []
            for line in lines:
                pos, width = _indent(line)
                self.pos.append(pos)
                self.width.append(width)
        else:
            self.pos = [len(line) - len(line.lstrip(" ")) if line[:1] == " " else 0 for line in lines]
            self.width = self.pos[:]
        self.line_max = len(lines)
        self.indent = 0  # markdown-it's blkIndent
        self.list_indent = -1
        self.line = 0
        self.depth = 0
        self.items: list[list[int]] = []  # [start, end) of list items inside the current top-level block
        self.headings: list[tuple[int, int, str]] = []  # headings inside the current top-level block
        self.code: list[tuple[int, int]] = []  # [start, end) of every code block, at any depth
        self.level = 0  # heading level of the last heading
        self.text = ""  # heading text / fence info of the last block
        self.content = ""  # fence body of the last top-level fence

    # ---- the body ----

    def body(self, offset: int) -> Body:
        """Parse every line into top-level blocks (markdown-it `tokenize` at the root)."""
        lines, pos, lengths, width = self.lines, self.pos, self.lengths, self.width
        blocks: list[Block] = []
        line, end = 0, self.line_max
        while line < end:
            while line < end and pos[line] >= lengths[line]:
                line += 1
            if line >= end:
                break
            # the commonest blocks first, as `block` would parse them: a paragraph or a heading
            text = lines[line]
            first = text[pos[line]]
            if first not in _STARTING and "|" not in text and width[line] < 4:
                stop = line + 1
                if stop < end and pos[stop] < lengths[stop]:
                    self.paragraph(line)
                    stop = self.line
                    text = "\n".join(lines[line:stop])
                blocks.append(Block("paragraph", line + 1 + offset, stop + offset, 0, text))
            elif first == "#" and "|" not in text and width[line] < 4 and self.heading(line, True):
                stop = line + 1
                blocks.append(Block("heading", stop + offset, stop + offset, self.level, self.text))
            else:
                self.items, self.headings = [], []
                kind = self.block(line, end, True)
                stop = self.line
                if kind != "reference":  # a definition yields no token
                    blocks.append(self.make_block(kind, line, stop, offset))
            line = stop
            if line < end and pos[line] >= lengths[line]:
                line += 1
        code_lines = {n + offset for start, stop in self.code for n in range(start + 1, stop + 1)}
        return Body(tuple(blocks), frozenset(code_lines))

    def make_block(self, kind: str, start: int, stop: int, offset: int) -> Block:
        """Build the Block `markdown._block` builds from the block's tokens."""
        line, end_line = start + 1 + offset, max(stop, start + 1) + offset
        if kind == "paragraph" or kind == "html" or kind == "code":
            return Block(kind, line, end_line, 0, "\n".join(self.lines[start:stop]))
        if kind == "heading":
            return Block(kind, line, end_line, self.level, self.text)
        if kind == "fence":
            return Block(kind, line, end_line, 0, self.text.strip(), self.content)
        if kind == "table" or kind == "hr":
            return Block(kind, line, end_line)
        lines = self.lines
        items = tuple([Item(a + 1 + offset, b + offset, lines[a]) for a, b in self.items])
        headings = tuple([(n + 1 + offset, level, text) for n, level, text in self.headings])
        return Block(kind, line, end_line, 0, "", "", items, headings)

    # ---- the block loop ----

    def tokenize(self, start: int, end: int) -> None:
        """Parse the blocks of lines [start, end) inside a container (markdown-it `tokenize`)."""
        if self.depth > _MAX_DEPTH:
            raise _Fallback
        lines, pos, lengths, width, line_max = self.lines, self.pos, self.lengths, self.width, self.line_max
        indent = self.indent
        line = start
        while line < end:
            while line < line_max and pos[line] >= lengths[line]:  # markdown-it's skipEmptyLines
                line += 1
            self.line = line
            if line >= end or width[line] < indent:
                break
            text = lines[line]
            if text[pos[line]] not in _STARTING and "|" not in text and width[line] - indent < 4:
                # a paragraph, as `block` would find; most end at the next line, a blank one
                nxt = line + 1
                if nxt >= line_max or pos[nxt] >= lengths[nxt]:
                    self.line = nxt
                else:
                    self.paragraph(line)
            else:
                self.block(line, end, False)
            line = self.line
            # a block may leave one blank line after it to its container
            if line < end and pos[line] >= lengths[line]:
                line += 1
                self.line = line

    def block(self, line: int, end: int, top: bool) -> str:
        """Parse the block starting at `line`, set `self.line` past it and return its kind.

        markdown-it tries its rules in the order table, code, fence, blockquote, hr,
        list, reference, html_block, heading, lheading, paragraph.  Past the table
        and code rules, a line's first character leaves at most two of them (the
        setext heading is handled by `paragraph`), tried here in that order.
        """
        text = self.lines[line]
        first = text[self.pos[line]]
        if first not in _STARTING and "|" not in text and self.width[line] - self.indent < 4:
            self.paragraph(line)
            return "paragraph"
        if "|" in text and self.table(line, end):
            return "table"
        if self.width[line] - self.indent >= 4:
            return self.code_block(line, end)
        if first == "#":
            if self.heading(line, top):
                return "heading"
        elif first in _LIST_FIRST or first == "_":
            if first in "*-_" and _is_hr(text, self.pos[line]):
                self.line = line + 1
                return "hr"
            kind = self.list(line, end) if first != "_" else ""
            if kind:
                return kind
        elif first == "`" or first == "~":
            if self.fence(line, end, top):
                return "fence"
        elif first == ">":
            self.blockquote(line, end)
            return "blockquote"
        elif first == "[":
            if self.reference(line):
                return "reference"
        elif first == "<" and self.html(line, end):
            return "html"
        self.paragraph(line)
        return "paragraph"

    def interrupts(self, line: int, end: int, chain: int, parent: str) -> bool:
        """Return True when a block of `chain` starts at `line` and ends the open block there.

        Only whether some rule of the chain matches counts, so the order of the checks is free.
        """
        text, pos = self.lines[line], self.pos[line]
        if pos >= self.lengths[line]:
            return False
        first = text[pos]
        if chain == _PARAGRAPH and "|" in text and self.table_columns(line, end):
            return True
        if first not in _INTERRUPTING or self.width[line] - self.indent >= 4:
            return False
        if first in _LIST_FIRST:
            if chain != _LIST and self.list_interrupts(line, parent):
                return True
            return (first == "-" or first == "*") and _is_hr(text, pos)
        if first == ">":
            return True
        if first == "`" or first == "~":
            return _opens_fence(text, pos)
        if first == "_":
            return _is_hr(text, pos)
        if chain == _LIST:
            return False
        if first == "#":
            return _heading_level(text, pos)[0] > 0
        return _html_kind(text[pos:]) in (1, 2, 3, 4, 5, 6)  # first is `<`

    # ---- leaf blocks ----

    def code_block(self, line: int, end: int) -> str:
        """Parse an indented code block (CommonMark 4.4): indented lines and the blanks between."""
        pos, lengths, width, indent = self.pos, self.lengths, self.width, self.indent
        last = nxt = line + 1
        while nxt < end:
            if pos[nxt] >= lengths[nxt]:
                nxt += 1
            elif width[nxt] - indent >= 4:
                nxt += 1
                last = nxt
            else:
                break
        self.line = last
        self.code.append((line, last))
        return "code"

    def fence(self, line: int, end: int, top: bool) -> bool:
        """Parse a fenced code block; it runs to its closer, its container's end or the body's end."""
        if not _opens_fence(self.lines[line], self.pos[line]):
            return False
        lines, pos, lengths, width, indent = self.lines, self.pos, self.lengths, self.width, self.indent
        text, start = lines[line], pos[line]
        marker = text[start]
        run = len(text) - len(text[start:].lstrip(marker)) - start
        closed = False
        for nxt in range(line + 1, end):
            at = pos[nxt]
            if at < lengths[nxt]:
                if width[nxt] < indent:
                    break  # an outdented line ends the container, and the fence with it
                candidate = lines[nxt]
                if candidate[at] == marker and width[nxt] - indent < 4:
                    tail = candidate[at:].lstrip(marker)
                    # the closer: at least as many markers, then blanks only
                    if lengths[nxt] - at - len(tail) >= run and not tail.strip(" \t"):
                        closed = True
                        break
            elif nxt == self.tail:
                break  # markdown-it reads past the source's end here, and stops
        else:
            nxt = end  # unclosed: the fence runs to its container's end
        self.line = nxt + 1 if closed else nxt
        self.code.append((line, self.line))
        if top:
            self.text = text[start + run :]
            self.content = self.fence_body(line + 1, nxt, width[line])
        return True

    def fence_body(self, start: int, stop: int, indent: int) -> str:
        """Return lines [start, stop) with the fence's indent removed, each with its line break."""
        lines = self.lines[start:stop]
        if indent:
            lines = [_dedent(line, indent) for line in lines]
        body = "\n".join(lines)
        if stop > start and stop - 1 != self.tail:
            body += "\n"
        return body

    def heading(self, line: int, top: bool) -> bool:
        """Parse an ATX heading (CommonMark 4.2): strip a closing `#` sequence that follows a blank."""
        level, pos = _heading_level(self.lines[line], self.pos[line])
        if not level:
            return False
        text = self.lines[line]
        end = len(text)
        while end > pos and text[end - 1] in " \t":
            end -= 1
        mark = end
        while mark > pos and text[mark - 1] == "#":
            mark -= 1
        if mark > pos and text[mark - 1] in " \t":
            end = mark
        content = text[pos:end].strip(_TRIM)
        self.line = line + 1
        if top:
            self.level, self.text = level, content
        else:
            self.headings.append((line, level, content))
        return True

    def table_columns(self, line: int, end: int) -> int:
        """Return the column count of a GFM table whose header row is `line`, 0 for none."""
        if line + 2 > end:
            return 0
        lines, pos, width, indent = self.lines, self.pos, self.width, self.indent
        nxt = line + 1
        if width[nxt] < indent or width[nxt] - indent >= 4:
            return 0
        row, at = lines[nxt], pos[nxt]
        if at + 1 >= len(row):
            return 0
        first, second = row[at], row[at + 1]
        # the delimiter row: only `|-:` and blanks; a `-` then a blank is a list item
        if first not in "|-:" or second not in "|-: \t" or (first == "-" and second in " \t"):
            return 0
        if _DELIMITER_TAIL.fullmatch(row, at + 2) is None:
            return 0
        cells = row[at:].split("|")
        aligns = 0
        for i, cell in enumerate(cells):
            cell = cell.strip(_TRIM)
            if not cell:
                if i == 0 or i == len(cells) - 1:
                    continue
                return 0
            if not _DELIMITER_CELL.search(cell):
                return 0
            aligns += 1
        header = lines[line][pos[line] :].strip(_TRIM)
        if "|" not in header or width[line] - indent >= 4:
            return 0
        columns = _escaped_split(header)
        if columns and columns[0] == "":
            columns.pop(0)
        if columns and columns[-1] == "":
            columns.pop()
        return len(columns) if len(columns) == aligns else 0

    def table(self, line: int, end: int) -> bool:
        """Parse a GFM table: header, delimiter row, then rows up to a blank line or another block."""
        columns = self.table_columns(line, end)
        if not columns:
            return False
        lines, pos, width, indent = self.lines, self.pos, self.width, self.indent
        nxt = line + 2
        while nxt < end:
            row = lines[nxt]
            if width[nxt] < indent:
                break
            if pos[nxt] < len(row) and row[pos[nxt]] in _INTERRUPTING and self.interrupts(nxt, end, _QUOTE, "table"):
                break
            if not row[pos[nxt] :].strip(_TRIM) or width[nxt] - indent >= 4:
                break
            nxt += 1
        if (nxt - line - 2) * columns > _MAX_TABLE_CELLS:
            raise _Fallback  # markdown-it may have cut the table short
        self.line = nxt
        return True

    def reference(self, line: int) -> bool:
        """Skip a link reference definition (CommonMark 4.7): it yields no block.

        Only the one-line form `[label]: destination` with a plain destination is
        handled; return False when `line` surely starts none, fall back otherwise.
        """
        text = self.lines[line]
        end = _label_end(text, self.pos[line])
        if end == -2 and line != self.tail:
            if self.label_closes_as_text(line):
                return False
            raise _Fallback  # the label may go on on the next line, and end with `]:`
        if end < 0 or text[end + 1 : end + 2] != ":":
            return False
        match = _REFERENCE.fullmatch(text, self.pos[line])
        if match is None:
            words = _WORDS_AFTER.match(text, self.pos[line])
            if words is not None and not _UNSAFE_SCHEME.match(words.group(2).lstrip("<")):
                return False  # `[1]: The scripts do …`: a footnote-like paragraph
            raise _Fallback  # an escape, an entity, a `<destination>`, a title going on …
        if _UNSAFE_SCHEME.match(match.group(2).lstrip("<")):
            raise _Fallback  # a rejected URL
        if not match.group(1).strip(_TRIM):
            return False  # an empty label
        nxt = line + 1
        if (
            match.group(3) is None
            and nxt < self.line_max
            and self.pos[nxt] < self.lengths[nxt]
            and self.lines[nxt][self.pos[nxt]] in "\"'("
        ):
            raise _Fallback  # the title may be on the next line
        self.line = nxt
        return True

    def label_closes_as_text(self, line: int) -> bool:
        """Return True when a label open at the end of `line` surely opens no definition.

        It is searched for in the lines up to the next blank one: closed there by a `]` not
        followed by `:`, or not closed at all, it is no definition whatever lines markdown-it
        takes (it takes no more than these). Closed by `]:`, only markdown-it can tell.
        """
        parts, total, nxt = [self.lines[line][self.pos[line] :]], 0, line + 1
        while nxt < self.line_max and self.pos[nxt] < self.lengths[nxt] and total < 2000:
            parts.append(self.lines[nxt][self.pos[nxt] :])
            total += len(parts[-1])
            nxt += 1
        joined = "\n".join(parts)
        end = _label_end(joined, 0)
        if end == -2 and total >= 2000:
            return False  # cut short: unknown
        return not (end >= 0 and joined[end + 1 : end + 2] == ":")

    def html(self, line: int, end: int) -> bool:
        """Parse an HTML block: a comment runs to `-->`, a tag block to a blank line (CommonMark 4.6)."""
        lines, pos, lengths, width, indent = self.lines, self.pos, self.lengths, self.width, self.indent
        text = lines[line][pos[line] :]
        kind = _html_kind(text)
        if not kind:
            return False
        if kind != 2 and kind < 6:
            raise _Fallback
        nxt = line + 1
        if kind == 2:
            if "-->" not in text:
                while nxt < end:
                    # an outdented line ends the comment's container, unless it is blank
                    if width[nxt] < indent and pos[nxt] < lengths[nxt]:
                        break
                    if lines[nxt].find("-->", pos[nxt]) >= 0:
                        nxt += 1
                        break
                    nxt += 1
        else:
            while nxt < end and width[nxt] >= indent and pos[nxt] < lengths[nxt]:
                nxt += 1
        self.line = nxt
        return True

    def paragraph(self, line: int) -> None:
        """Parse a paragraph: lines up to a blank line or a block that may interrupt it (CommonMark 4.8)."""
        lines, pos, lengths, width, indent = self.lines, self.pos, self.lengths, self.width, self.indent
        end = self.line_max
        nxt = line + 1
        while nxt < end:
            at = pos[nxt]
            if at >= lengths[nxt]:
                break
            line_width = width[nxt]
            if line_width - indent > 3:
                nxt += 1  # an indented line continues a paragraph, it cannot start code
                continue
            text = lines[nxt]
            first = text[at]
            if line_width >= indent and first in "=-" and text[-1] in "=- \t" and _UNDERLINE.fullmatch(text, at):
                raise _Fallback  # a setext heading underline (CommonMark 4.3)
            if line_width < 0:
                nxt += 1  # a block quote's lazy continuation line (CommonMark 5.1)
                continue
            # only a line with a `|` or a block's first character may interrupt
            if (first in _INTERRUPTING or "|" in text) and self.interrupts(nxt, end, _PARAGRAPH, "paragraph"):
                break
            nxt += 1
        self.line = nxt

    # ---- container blocks ----

    def quote_line(self, line: int, saved: list[tuple[int, int, int]]) -> bool:
        """Strip `>` and one blank from `line`'s state; return True when nothing follows."""
        text = self.lines[line]
        if _PREFIX_TAB.match(text):
            raise _Fallback  # a tab's width after `>` or a list marker depends on the `>` column
        pos = self.pos[line] + 1
        initial = self.width[line] + 1
        if pos < len(text) and text[pos] == " ":
            pos += 1
            initial += 1
        saved.append((line, self.pos[line], self.width[line]))
        start = pos
        while pos < len(text) and text[pos] == " ":
            pos += 1
        self.pos[line] = pos
        self.width[line] = pos - start
        return pos >= len(text)

    def blockquote(self, line: int, end: int) -> None:
        """Parse a block quote (CommonMark 5.1): `>` lines and lazy continuation lines."""
        lines, pos, lengths, width = self.lines, self.pos, self.lengths, self.width
        old_max, old_indent = self.line_max, self.indent
        saved: list[tuple[int, int, int]] = []
        last_blank = self.quote_line(line, saved)
        nxt = line + 1
        while nxt < end:
            outdented = width[nxt] < old_indent
            if pos[nxt] >= lengths[nxt]:
                break
            if lines[nxt][pos[nxt]] == ">" and not outdented:
                last_blank = self.quote_line(nxt, saved)
                nxt += 1
                continue
            if last_blank:
                break
            if self.interrupts(nxt, end, _QUOTE, "blockquote"):
                self.line_max = nxt  # the paragraphs inside may not run on past it
                if old_indent:
                    saved.append((nxt, pos[nxt], width[nxt]))
                    width[nxt] -= old_indent
                break
            saved.append((nxt, pos[nxt], width[nxt]))
            width[nxt] = -1  # a lazy continuation line: only a paragraph takes it
            nxt += 1
        self.indent = 0
        self.depth += 1
        self.tokenize(line, nxt)
        self.depth -= 1
        self.line_max = old_max
        for number, at, line_width in saved:
            pos[number] = at
            width[number] = line_width
        self.indent = old_indent

    def list_interrupts(self, line: int, parent: str) -> bool:
        """Return True when a list item starting at `line` ends the open block (CommonMark 5.3)."""
        width = self.width[line]
        # a line indented 4+ past the enclosing list's items is a paragraph continuation
        if self.list_indent >= 0 and width - self.list_indent >= 4 and width < self.indent:
            return False
        # only a non-empty item, ordered ones from 1, interrupts a paragraph of its own container
        interrupting = parent == "paragraph" and width >= self.indent
        text, pos = self.lines[line], self.pos[line]
        if "0" <= text[pos] <= "9":
            after = _ordered_end(text, pos)
            if after < 0 or interrupting and int(text[pos : after - 1]) != 1:
                return False
        else:
            after = _bullet_end(text, pos)
            if after < 0:
                return False
        return not (interrupting and not text[after:].strip(" \t"))

    def list(self, line: int, end: int) -> str:
        """Parse a list (CommonMark 5.2, 5.3) and return its kind, "" when `line` starts none."""
        lines, pos, lengths, width = self.lines, self.pos, self.lengths, self.width
        text = lines[line]
        after = _ordered_end(text, pos[line])
        ordered = after >= 0
        if not ordered:
            after = _bullet_end(text, pos[line])
            if after < 0:
                return ""
        marker = text[after - 1]
        nxt = line
        while nxt < end:
            text, length = lines[nxt], lengths[nxt]
            initial = offset = width[nxt] + after - pos[nxt]
            at = after
            while at < length:
                ch = text[at]
                if ch == "\t":
                    offset += 4 - offset % 4  # quote lines hold no tab, so no quote shift applies
                elif ch == " ":
                    offset += 1
                else:
                    break
                at += 1
            # the content column: after the marker and 1-4 blanks; 5+ blanks start indented code
            gap = 1 if at >= length else offset - initial
            if gap > 4:
                gap = 1
            item = [nxt, nxt]
            self.items.append(item)
            if offset - initial <= 4 and at < length and "|" not in text and _starts_paragraph(text, at):
                stop = self.one_line_item(nxt, initial + gap, end)
                if stop >= 0:
                    nxt = item[1] = stop
                    after = self.next_item(nxt, end, ordered, marker)
                    if after < 0:
                        break
                    continue
            old_pos, old_width, old_list_indent = pos[nxt], width[nxt], self.list_indent
            self.list_indent = self.indent
            self.indent = initial + gap
            pos[nxt], width[nxt] = at, offset
            if at >= length and (nxt + 1 >= len(lines) or pos[nxt + 1] >= lengths[nxt + 1]):
                self.line = min(nxt + 2, end)  # an item may begin with at most one blank line
            else:
                self.depth += 1
                self.tokenize(nxt, end)
                self.depth -= 1
            self.indent = self.list_indent
            self.list_indent = old_list_indent
            pos[nxt], width[nxt] = old_pos, old_width
            nxt = item[1] = self.line
            after = self.next_item(nxt, end, ordered, marker)
            if after < 0:
                break
        self.line = nxt
        return "ordered_list" if ordered else "bullet_list"

    def next_item(self, line: int, end: int, ordered: bool, marker: str) -> int:
        """Return the position after the marker of the list's next item at `line`, -1 when the list ends."""
        if line >= end or self.width[line] < self.indent or self.width[line] - self.indent >= 4:
            return -1
        text, at = self.lines[line], self.pos[line]
        if at >= self.lengths[line]:
            return -1  # a blank line: it holds no marker
        first = text[at]
        # a fence, a quote or a thematic break ends the list (markdown-it's "list" chain)
        if first == ">" or first in "`~" and _opens_fence(text, at) or first in "*-_" and _is_hr(text, at):
            return -1
        after = _ordered_end(text, at) if ordered else _bullet_end(text, at)
        return after if after >= 0 and text[after - 1] == marker else -1

    def one_line_item(self, line: int, indent: int, end: int) -> int:
        """Return where an item ends whose content is one plain paragraph line, -1 to parse it fully.

        This is what `tokenize` at `indent` then `paragraph` find, without rewriting
        the line's state, in two cases: the next line is blank (or there is none)
        and the next non-blank one is outdented; the next line is outdented and
        opens a list item, which interrupts the paragraph (CommonMark 5.3: only
        an item of the paragraph's own container must be non-empty, or start at 1).
        """
        if self.depth >= _MAX_DEPTH:
            return -1
        pos, lengths, width, line_max = self.pos, self.lengths, self.width, self.line_max
        nxt = line + 1
        if nxt >= line_max or pos[nxt] >= lengths[nxt]:
            if nxt < end:  # (a container's end is never past `line_max`)
                nxt += 1  # the blank line after the paragraph stays in the item
                if nxt < end:
                    while nxt < line_max and pos[nxt] >= lengths[nxt]:
                        nxt += 1
                    if nxt < end and width[nxt] >= indent:
                        return -1  # the item goes on
            return nxt
        line_width = width[nxt]
        if nxt >= end or line_width < 0 or line_width >= indent or line_width - self.indent >= 4:
            return -1
        text, at = self.lines[nxt], pos[nxt]
        if _bullet_end(text, at) < 0 and _ordered_end(text, at) < 0:
            return -1
        return nxt
