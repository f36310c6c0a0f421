"""The user's files: which to check, reading one safely, and writing (the only place that writes).

discovery.py  which files a run checks, display paths, telling a doc from other Markdown
reading.py    reading one file within its limits, or saying why not
git.py        running git: the plumbing the history readers share (one cat-file for many versions)
sidecar.py    reading a doc's sidecar (`kep.yaml` beside `README.md`) with the same care
writer.py     atomic writes that keep line endings, encoding and mode, and refuse a file that changed
"""
