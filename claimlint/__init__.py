"""claimlint: a compliance linter for stem-cell and regenerative-medicine clinic marketing."""

__version__ = "0.1.0"
