"""claimlint: a compliance linter for stem-cell and regenerative-medicine clinic marketing."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "lint_path", "lint_text"]


def __getattr__(name: str):  # noqa: ANN202 - lazy import keeps `import claimlint` cheap
    if name in ("lint_text", "lint_path"):
        from claimlint import lint

        return getattr(lint, name)
    raise AttributeError(name)
