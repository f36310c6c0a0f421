"""Diagnostics to text for people and machines; JSON Schemas for editors.

text.py        one line per diagnostic, and the summary line
json.py        `--format json`, the documented contract
github.py      `--format github`: workflow-command annotations
sarif.py       `--format sarif`: SARIF 2.1.0 with rules and fixes
jsonschema.py  JSON Schemas of a template's front matter and of the config
"""
