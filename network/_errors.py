"""The package's errors: one base class, specific subclasses that also inherit a built-in."""

from __future__ import annotations


class HzCircleError(Exception):
    """Base class of every error this package raises on purpose."""


class LayerError(HzCircleError, ValueError):
    """A data layer is missing, unreadable or inconsistent."""


class UnknownPlaceError(HzCircleError, LookupError):
    """A place name, id or coordinate could not be resolved."""


class InputError(HzCircleError, ValueError):
    """An argument has a bad value (mode, year, level, same origin and destination...)."""


class UnreachableError(HzCircleError, RuntimeError):
    """No path exists between two places in the built network."""


class OutputError(HzCircleError, OSError):
    """An output file cannot be written."""


def shorten(text: object, limit: int = 80) -> str:
    """``repr``-like text of a user value, cut to about ``limit`` characters for messages.

    A 100,000-character name must not be echoed whole in a one-line error.
    """
    if not isinstance(text, str):
        s = repr(text)
        return s if len(s) <= limit else s[: limit - 20] + f"... ({len(s):,} characters)"
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit - 20] + "...") + f" ({len(text):,} characters)"
