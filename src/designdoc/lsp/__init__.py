"""The language server: the same diagnostics and fixes as `check`, on unsaved buffers.

    positions.py  LSP positions (UTF-16, UTF-8, UTF-32) against code-point columns; the `Buffer`
    analyzer.py   check a buffer with its project's config and template (one Checker per project)
    project.py    the project rules on a buffer, from the project's facts (open buffers in place of their files)
    convert.py    diagnostics, quick fixes, hover text and the outline as LSP values
    completion.py statuses (the lifecycle's moves first), dates, keys, sections, rule slugs
    navigation.py document links, go to definition and references: links, `#anchors`, supersede entries
    server.py     the pygls server: documents, debounced checks, code actions, hover, outline, completion,
                  references, rename, and the commands status, bump and new

Nothing here is imported by `designdoc check`: pygls loads only for `designdoc lsp`.
"""
