"""The engine behind `check`, `list`, `build` and the editor: check each doc once, then the whole run.

linter.py     run the document rules on one Document: severities, suppressions, order
runner.py     the `Checker`: read, parse, lint each file (in a pool, from the cache), then
              the project rules over the run's facts
pool.py       how many worker processes, and the cycle collector around them
cache.py      per-file results keyed by the file's bytes, for warm runs
workspace.py  the run's docs and the files their links name
git.py        commit dates and status history from git
extracts.py   what `--fix` and SARIF keep of each doc: its text hash
baseline.py   accept today's findings, report only new ones
"""
