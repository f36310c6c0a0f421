"""The static site: `build.build` turns a tree of design docs into HTML pages.

    links.py    where each doc's page goes; what a link in a doc becomes on the site
    render.py   Markdown → sanitised HTML (markdown-it-py, Pygments, nh3), headings, TOC
    charts.py   inline SVG bar charts for the dashboard
    pages.py    the data each page template receives (catalog, dashboard, doc pages)
    source.py   what the check's workers keep of each doc for its page (entry, rendered body)
    search.py   the pagefind index, in bundles on large sites, made byte-for-byte reproducible
    theme.py    the page templates, the static files, and a fingerprint of the site code
    build.py    gather → render → write, incrementally (a manifest of input hashes), then search
    serve.py    the preview server: build into a temporary folder, serve, rebuild and reload on save

Nothing here is imported by `designdoc check`: jinja2, pygments, nh3, starlette and
uvicorn load only when a site is built or served.
"""
