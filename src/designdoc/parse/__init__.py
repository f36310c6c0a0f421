"""Text to `Document`: front matter, block structure, inline structure, guidance, templates.

frontmatter.py  YAML front matter from libyaml's events, with limits and positions
blocks.py       the block values (`Body`, `Block`, `Item`) both block parsers produce
blockscan.py    the fast line scanner for the Markdown design docs contain
markdownit.py   markdown-it-py's block phase, the reference the scanner must agree with
body.py         parse a body: the scanner first, the reference when it declines
inline.py       code spans, links and plain text, scanned from source lines
anchors.py      the anchors a text defines (heading slugs, HTML ids), without a full parse
guidance.py     guidance units and whether a text is (a lightly edited copy of) a note
template.py     a template file read as the contract its docs follow
versions.py     a template's versions: which one a doc follows, what changed between two
metadata.py     a doc's metadata from front matter, a sidecar, a key list, key lines, a status section
document.py     parse a doc once into an immutable `Document`
"""
