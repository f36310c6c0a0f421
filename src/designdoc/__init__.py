"""designdoc: keep design documents honest."""

__version__ = "0.1.0"
