"""Years: the one rule for "open in year Y", the one year check, and the default year.

Every stage that filters by year (graph build, targets tracker, maps, validation, scenario
evaluation) uses :func:`is_open`; every entry point that takes a year uses :func:`check_year`;
a command without ``--year`` uses :func:`default_year`, the layers' own data year, never the
machine clock.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from network._errors import InputError

if TYPE_CHECKING:
    from network.layers import Layers

#: Earliest year the layers describe. They record opening dates back to the first HSR line of
#: the region (2010); timetables and lines closed before then are not recorded, so earlier
#: years are refused rather than answered wrongly.
FIRST_YEAR = 2010


def _year_of(value: Any) -> int | None:
    """The year of an opening/closing value: an int, a float year, or a 'YYYY[-MM[-DD]]' text."""
    if value is None:
        return None
    if isinstance(value, str):
        return int(value[:4]) if value[:4].isdigit() else None
    if value != value:  # NaN
        return None
    return int(value)


def is_open(opened: Any, year: int, closed: Any = None) -> bool:
    """Whether a feature is open at the end of ``year``.

    A missing opening date means the feature predates the layers' first year (the conventional
    lines of the 1900s carry none): it is open in every year. A feature that closed in year C is
    closed from year C on.
    """
    o, c = _year_of(opened), _year_of(closed)
    return (o is None or o <= year) and (c is None or c > year)


def check_year(layers: Layers, year: Any) -> int:
    """Return ``year`` as an int if the layers describe it, else raise a one-line InputError."""
    last = layers.last_year()
    try:
        if isinstance(year, bool | float):
            raise TypeError
        year = operator.index(year)
    except TypeError:
        raise InputError(f"year {year!r} is not a whole year; give e.g. {default_year(layers)}") from None
    if not FIRST_YEAR <= year <= last:
        raise InputError(f"year {year} is outside the years the layers describe "
                         f"({FIRST_YEAR}-{last}); choose a year in that range")
    return year


def default_year(layers: Layers) -> int:
    """The year a command uses without ``--year``: the layers' recorded data year."""
    return layers.data_year


def line_is_open(status: str, opened: Any, year: int) -> bool:
    """Whether an infrastructure line is in service at the end of ``year``: its status is
    ``open`` and it opened by then (no date: it predates the layers, see :func:`is_open`)."""
    return status == "open" and is_open(opened, year)
