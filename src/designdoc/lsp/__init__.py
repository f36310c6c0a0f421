"""The language server: the same diagnostics and fixes as `check`, on unsaved buffers.

    positions.py  LSP positions (UTF-16, UTF-8, UTF-32) against code-point columns; the `Buffer`
    analyzer.py   check a buffer with its project's config and template (one Checker per project)
    convert.py    diagnostics, quick fixes, hover text and the outline as LSP values
    completion.py statuses (the lifecycle's moves first), dates, keys, sections, rule slugs
    navigation.py document links and go to definition for relative links and `#anchors`
    server.py     the pygls server: documents, debounced checks, code actions, hover, outline, completion

Nothing here is imported by `designdoc check`: pygls loads only for `designdoc lsp`.
"""
