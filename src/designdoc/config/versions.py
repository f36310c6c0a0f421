"""Gather a template's versions: from its git history, from the config's named versions, or both.

Git: one `git log --first-parent --follow --raw` of the template file lists the
commits that changed it on the main line (renames followed) with the blob each
left; one `git cat-file --batch` reads them all.  The template as it is on disk is
the newest version: when it differs from the last commit, it is a version of its
own, dated today.  Versions are derived with the options the current template was
derived with (schema, section rules, optional sections), so only the file's text
differs between them.

History is left out, with one note saying why, in a shallow clone (the oldest
fetched commit would look like the template's birth), when git is missing, or
when the template is not tracked; the built-in template has no history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from designdoc.config.load import section_rules
from designdoc.files import git
from designdoc.model.errors import ConfigError, TemplateError
from designdoc.model.settings import Config, NamedVersion
from designdoc.model.text import decode
from designdoc.parse import template as template_module
from designdoc.parse import versions
from designdoc.parse.template import Template
from designdoc.parse.versions import Draft, TemplateSet

SHALLOW_NOTE = "shallow clone: template versions from git are off (fetch the full history: git fetch --unshallow)"


# Derived versions kept across runs by the caller: `remember(key, derive)` returns what `derive()`
# returned for the same key before, else calls it (the key names HEAD, the template's path and the
# derivation's options: the same history derives the same versions); a string (why git could not
# answer) is never kept.
Remember = Callable[[str, Callable[[], "list[Draft] | str"]], "list[Draft] | str"]


def load(
    config: Config, template: Template, *, today: dt.date | None = None, remember: Remember | None = None
) -> TemplateSet:
    """Return the versions of `template` (the current one, as loaded from the config)."""
    drafts: list[Draft] = []
    notes: list[str] = []
    path = template.path
    if path is not None and config.template_git_history:
        found = _git_drafts(config, template, path, remember)
        if isinstance(found, str):
            if found:
                notes.append(found)
        else:
            drafts += found
    drafts += [_named(config, template, named) for named in config.template_versions]
    if not drafts:
        return versions.single(template, notes)
    drafts.sort(key=lambda d: d.date)
    newest = drafts[-1]
    if newest.template.source != template.source:  # edited since the last version: the file is newest
        when = max(today or dt.date.today(), newest.date)
        drafts.append(Draft(template, when, origin="file"))
    return versions.build(drafts, renames=config.template_renames, notes=notes)


def _derive(config: Config, template: Template, text: str, name: str) -> Template:
    """Derive another text of the template with the options the current one was derived with."""
    rules = section_rules(config.sections, str(config.source or "configuration"))
    return template_module.derive(
        text,
        name=name,
        schema=template.schema,
        section_rules=rules,
        optional_sections=config.optional_sections,
        path=template.path,
        titled="title" in config.metadata.sources,
    )


def _git_drafts(config: Config, template: Template, path: Path, remember: Remember | None) -> list[Draft] | str:
    """Return a draft per commit that changed the template on the main line, or why there is none
    ("" when the template is simply not in a git work tree: nothing to say)."""
    tree = git.work_tree([path])
    if isinstance(tree, str):
        return ""
    top, shallow, _ = tree
    if shallow:
        return SHALLOW_NOTE
    relative = Path(os.path.relpath(os.path.realpath(path), os.path.realpath(top))).as_posix()
    if remember is None:
        return _from_history(config, template, top, relative)
    head = git.run(["rev-parse", "--verify", "-q", "HEAD"], cwd=top)
    if isinstance(head, str):
        return ""  # no commit yet: no history
    options = (relative, template.name, template.schema, config.sections, config.optional_sections)
    key = hashlib.blake2b(head + repr((options, config.metadata.sources)).encode(), digest_size=16).hexdigest()
    return remember(key, lambda: _from_history(config, template, top, relative))


def _from_history(config: Config, template: Template, top: str, relative: str) -> list[Draft] | str:
    """Return the drafts of the template's main-line history: one git log, one cat-file."""
    log = git.run(
        [
            "--literal-pathspecs",
            "log",
            "--no-show-signature",
            "--first-parent",
            "--follow",
            "--format=%x1e%H %cI",
            "--raw",
            "--no-abbrev",
            "-z",
            "--",
            relative,
        ],
        cwd=top,
    )
    if isinstance(log, str):
        return f"template versions from git are off: {log}"
    commits = _parse_log(log)
    if not commits:
        return []  # not committed yet
    return _derived(config, template, top, commits)


def _derived(
    config: Config, template: Template, top: str, commits: list[tuple[str, dt.date, str]]
) -> list[Draft] | str:
    """Return the drafts of the template's commits, their blobs read with one `git cat-file`."""
    blobs = git.read_blobs(top, [blob for _, _, blob in commits])
    if isinstance(blobs, str):
        return f"template versions from git are off: {blobs}"
    drafts = []
    for commit, when, blob in commits:
        data = blobs.get(blob)
        if data is None:
            continue
        try:
            text, _ = decode(data)
        except UnicodeDecodeError:
            continue  # a version that was not UTF-8 is no contract anyone followed
        try:
            derived = _derive(config, template, text, f"{template.name}@{commit[:7]}")
        except TemplateError:
            continue
        if derived.sections:
            drafts.append(Draft(derived, when, commit))
    return drafts


def _parse_log(out: bytes) -> list[tuple[str, dt.date, str]]:
    """Return (commit, date, blob it left) for each commit of `git log --raw -z`, oldest first;
    a commit that deleted the file leaves no version."""
    found = []
    for record in out.split(b"\x1e"):
        if not record.strip():
            continue
        tokens = record.split(b"\x00")
        head = tokens[0].decode("ascii", "replace").split("\n")
        commit, _, stamp = head[0].partition(" ")
        raw = [head[1]] if len(head) > 1 and head[1] else []
        raw += [t.decode("utf-8", "surrogateescape").lstrip("\n") for t in tokens[1:]]
        blob = None
        for token in raw:
            if token.startswith(":"):
                fields = token[1:].split()
                if len(fields) >= 5 and not fields[4].startswith("D") and set(fields[3]) != {"0"}:
                    blob = fields[3]
        try:
            when = dt.datetime.fromisoformat(stamp.strip()).date()
        except ValueError:
            continue
        if blob is not None:
            found.append((commit, when, blob))
    found.reverse()
    return found


def _named(config: Config, template: Template, named: NamedVersion) -> Draft:
    """Return the draft of a version the config names; ConfigError when its text cannot be had."""
    where = f"{config.source or 'configuration'}: template_versions {named.name!r}"
    if named.file is not None:
        path = Path(named.file)
        if not path.is_absolute() and config.root is not None:
            path = config.root / path
        try:
            text, _ = decode(path.read_bytes())
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"{where}: cannot read {named.file} ({getattr(error, 'strerror', None) or error})"
            ) from None
    else:
        text = _at_revision(template, named.rev or "", where)
    try:
        derived = _derive(config, template, text, f"{template.name}@{named.name}")
    except TemplateError as error:
        raise ConfigError(f"{where}: {error}") from None
    return Draft(derived, named.since, name=named.name, origin="config")


def _at_revision(template: Template, rev: str, where: str) -> str:
    """Return the template's text at git revision `rev`, or the file `REV:PATH` names (a template
    that lived under another name then, which git's rename detection did not link)."""
    if template.path is None or rev.startswith("-"):
        raise ConfigError(f"{where}: rev needs a template file tracked by git")
    tree = git.work_tree([template.path])
    if isinstance(tree, str):
        raise ConfigError(f"{where}: rev {rev!r}: {tree}")
    top = tree[0]
    relative = Path(os.path.relpath(os.path.realpath(template.path), os.path.realpath(top))).as_posix()
    wanted = rev if ":" in rev else f"{rev}:{relative}"
    found = git.read_blobs(top, [wanted])
    if isinstance(found, str) or wanted not in found:
        shown = wanted.partition(":")[2]
        raise ConfigError(f"{where}: rev {rev!r} has no {shown} (name a commit, tag or branch that holds it)")
    try:
        return decode(found[wanted])[0]
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: rev {rev!r}: the template is not UTF-8 there") from None
