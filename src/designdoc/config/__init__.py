"""The settings of a run: find, read and validate the config; the template it names; today.

load.py      find and validate `designdoc.toml` / `[tool.designdoc]`, load the template
             (the built-in one lives in templates/), and "today"
process.py   the `[metadata]` and `[lifecycle]` tables, and the presets (presets/*.toml) they start from
starter.py   what `designdoc init` writes and prints
versions.py  the template's versions: from its git history and the config's `[[template_versions]]`
"""
