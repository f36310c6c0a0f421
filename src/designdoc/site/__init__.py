"""The static site: `build.build` turns a tree of design docs into HTML pages.

    links.py    where each doc's page goes; what a link in a doc becomes on the site
    render.py   Markdown → sanitised HTML (markdown-it-py, Pygments, nh3), headings, TOC
    charts.py   inline SVG bar charts for the dashboard
    pages.py    the data each page template receives (catalog, dashboard, doc pages)
    search.py   the pagefind index, made byte-for-byte reproducible
    build.py    gather → render → write, incrementally (a manifest of input hashes), then search

Nothing here is imported by `designdoc check`: jinja2, pygments and nh3 load only
when a site is built.
"""
