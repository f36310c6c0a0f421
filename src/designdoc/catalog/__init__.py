"""Every doc of a tree with its status, owners, dates and relations; and its renderings.

entries.py  the catalog: one entry per doc, from one check run and one `git log`
render.py   table, CSV, JSON, the Markdown index, and the graph (Mermaid, DOT, JSON)
"""
