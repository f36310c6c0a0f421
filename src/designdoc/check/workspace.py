"""Cross-document context of one run: the docs in it, and the files their links name.

Existence checks and the anchors of linked files are cached for the run; a doc
of the run contributes its anchors from its own parse, so it is never read again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from designdoc.files.discovery import Candidate, real_path, walk
from designdoc.model.settings import Config
from designdoc.model.text import did_you_mean
from designdoc.parse.anchors import scan_anchors


@dataclass
class Project:
    """Cross-document facts of one run: the docs in it and the files they link to."""

    root: Path | None
    stems: dict[str, list[Path]] = field(default_factory=dict)
    _exists: dict[str, bool] = field(default_factory=dict)
    _anchors: dict[str, frozenset[str] | None] = field(default_factory=dict)
    _walked: dict[str, Path] = field(default_factory=dict)  # plain files met in a walk: their real paths
    _cwd: str = field(default_factory=os.getcwd)  # asked once: tens of thousands of paths are made absolute

    def _absolute(self, path: Path | str) -> str:
        return os.path.normpath(os.path.join(self._cwd, path))

    @classmethod
    def of(cls, config: Config, paths: Iterable[Path | Candidate]) -> Project:
        """Return the project of a run over `paths` (or candidates), knowing the configured paths' docs too.

        Stems under the configured `paths` resolve references even when only some files are
        checked (pre-commit passes the changed ones); those files are not read here.
        """
        project = cls(config.root)
        for item in paths:
            if isinstance(item, Candidate):
                project.add(item.path, item.real)
            else:
                project.add(item)
        for name in config.targets() if config.paths else ():
            folder = Path(name)
            if folder.is_dir():
                for candidate in walk(folder, config):
                    project.stems.setdefault(candidate.path.stem, [candidate.real or candidate.path.absolute()])
        return project

    def add(self, path: Path, real: Path | None = None) -> None:
        """Record a doc of this run (its stem is a valid reference).

        `real` is known only for a plain file met in a walk: it exists, and links to it need no `stat`.
        """
        self.stems.setdefault(path.stem, []).append(real or real_path(path))
        if real is not None:
            shown = os.path.normpath(path)
            self._exists[shown] = True
            self._walked[shown] = real

    def exists(self, path: Path | str) -> bool:
        """Return whether `path` exists (cached for the run)."""
        key = os.path.normpath(path)
        found = self._exists.get(key)
        if found is None:
            try:
                found = os.path.exists(key)
            except (OSError, ValueError):  # a name over NAME_MAX, a NUL: no such file either
                found = False
            self._exists[key] = found
        return found

    def resolve_reference(self, doc_path: str, ref: str) -> Path | None:
        """Return the real path of the doc a `supersedes` / `superseded_by` entry names, or None.

        The entry is a path from the doc's folder with `..` taken out as in a link (lexically:
        `link/..` is the folder holding `link`), then opened: what `rules.facts.reference_to` writes.
        """
        ref = ref.strip()
        if not ref:
            return None
        base = Path(doc_path).parent
        for candidate in (Path(os.path.normpath(base / ref)), Path(os.path.normpath(base / f"{ref}.md"))):
            if candidate.suffix != ".md":
                continue
            known = self._walked.get(str(candidate))
            if known is not None:
                return known
            if self.exists(candidate) and candidate.is_file():
                return real_path(candidate)
        if "/" not in ref and ref.removesuffix(".md") in self.stems:
            return self.stems[ref.removesuffix(".md")][0]
        return None

    def check_link(self, doc_path: str, own: frozenset[str], path: str, anchor: str) -> str | None:
        """Return what is wrong with a relative link of the doc at `doc_path`, or None.

        `own` holds the doc's own anchors; another doc's come from the run's facts or a scan.
        Paths stay strings here: a large run checks tens of thousands of links.
        """
        if not path:
            if anchor and anchor not in own and anchor.lower() not in own:
                return f"Link to '#{anchor}': no heading or id makes that anchor here{_nearest(anchor, own)}"
            return None
        if path.startswith("/"):
            if self.root is None:
                return None
            target = os.path.join(self.root, path.lstrip("/"))
        else:
            target = os.path.join(os.path.dirname(doc_path), path)
        if not self.exists(target):
            return f"Link to {path!r}: no such file"
        if anchor and target.lower().endswith((".md", ".markdown")):
            anchors = self.anchors_of(target)
            if anchors is not None and anchor not in anchors and anchor.lower() not in anchors:
                return f"Link to '{path}#{anchor}': no heading or id makes that anchor there{_nearest(anchor, anchors)}"
        return None

    def anchors_of(self, path: Path | str) -> frozenset[str] | None:
        """Return the anchors another Markdown file makes (read once per run), None if unreadable."""
        key = self._absolute(path)
        if key not in self._anchors:
            real = os.path.realpath(key)
            if real not in self._anchors:
                try:
                    with open(real, "rb") as handle:
                        text = handle.read(10 * 1024 * 1024).decode("utf-8", "replace")
                    self._anchors[real] = scan_anchors(text)
                except OSError:  # unreadable, or a folder: nothing to say about its anchors
                    self._anchors[real] = None
            self._anchors[key] = self._anchors[real]
        return self._anchors[key]

    def know_anchors(self, path: Path, anchors: frozenset[str], shown: str | None = None) -> None:
        """Record the anchors of a doc of the run (from its parse), so it is never scanned."""
        self._anchors[str(path)] = anchors
        if shown is not None:
            self._anchors[self._absolute(shown)] = anchors


def _nearest(anchor: str, anchors: frozenset[str]) -> str:
    """Return a did-you-mean for a mistyped anchor (`#data-modle` → `#data-model`), else ``."""
    hint = did_you_mean(anchor, anchors)
    return hint.replace(" (did you mean '", " (did you mean '#", 1)
