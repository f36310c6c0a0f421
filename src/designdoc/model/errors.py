"""The one exception tree that users ever see.

    DesignDocError            a problem the user can act on; exit code 2 unless said otherwise
     ├── UsageError           wrong command-line words (exit 2)
     ├── ConfigError          a bad designdoc.toml / [tool.designdoc] (exit 2)
     ├── TemplateError        a template file that cannot be used (exit 2)
     ├── WriteError           a file could not be written safely; nothing was changed (exit 1)
     └── LifecycleError       a refused transition: a gate, an illegal move, an existing file (exit 1)

Bad *documents* are never exceptions: they are diagnostics.  `cli.main` is the
single place that turns these errors into one line on stderr and an exit code.
"""

from __future__ import annotations


class DesignDocError(Exception):
    """Base class: the message is the whole user-facing line."""

    exit_code = 2


class UsageError(DesignDocError):
    """The command line asks for something that cannot be done as asked."""


class ConfigError(DesignDocError):
    """The configuration file is invalid; the message names the file and the key."""


class TemplateError(DesignDocError):
    """The template file cannot be read or yields no sections."""


class WriteError(DesignDocError):
    """A write was refused or failed; the original file is intact."""

    exit_code = 1


class LifecycleError(DesignDocError):
    """A refused operation on a document; nothing was changed."""

    exit_code = 1
