"""Pure values every layer shares; no I/O, no parsing.

diagnostics.py  severities, edits, fixes (a cross-file fix too) and diagnostics
errors.py       the one exception tree users see, with its exit codes
fields.py       what a value of each built-in front-matter field must look like
lifecycle.py    a lifecycle as data: statuses, moves, gates, spellings; the built-in one
metadata.py     where a process keeps its metadata, the roles of its fields, a doc's values
settings.py     the validated configuration (`Config`, `RuleConfig`)
text.py         the one definition of a line, the BOM (decode, encode), fingerprints, offset <-> position maps
"""
