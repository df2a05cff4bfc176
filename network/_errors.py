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
