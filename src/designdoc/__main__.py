"""`python -m designdoc`: the same as the `designdoc` command."""

from designdoc.cli import main

raise SystemExit(main())
