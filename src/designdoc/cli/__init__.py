"""The command line: one module per command family, assembled into one group by `main`.

    main.py       the `designdoc` group, `main(argv) -> int`, errors to exit codes
    common.py     reading the settings, rule lists, writing a report, shell completion
    progress.py   the progress line on a terminal (quiet when piped or in CI)
    check.py      `check` (with `--fix`, `--diff`, baselines and formats)
    lifecycle.py  `new`, `status`, `bump`
    migrate.py    `migrate`
    catalog.py    `list`, `index`, `graph`
    rules.py      `rules`, `rule SLUG`
    template.py   `template show`
    site.py       `build`, `serve`
    setup.py      `init`, `lsp`, `completion`, `schema`

Nothing imports this package but `designdoc.__main__` and the `designdoc` entry point.
"""
