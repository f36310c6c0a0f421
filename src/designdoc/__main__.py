"""`python -m designdoc`: the same as the `designdoc` command."""

from .cli import main

raise SystemExit(main())
