"""`python -m designdoc`: the same as the `designdoc` command."""

from designdoc.cli.main import main

raise SystemExit(main())
