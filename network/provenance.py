"""What every output records about how it was made: tool, data, year, modes, assumptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network.assumptions import DEFAULT, Assumptions

if TYPE_CHECKING:
    from network.layers import Layers

#: Version of the tool written into every output.
VERSION = "0.1.0"


def provenance(assumptions: Assumptions = DEFAULT, *, layers: Layers | None = None,
               **facts: Any) -> dict[str, Any]:
    """The provenance block of an output: the tool, the layers' data year and date, the given
    facts (year, modes, reading...) and the assumptions (fingerprint, changes, every value)."""
    out: dict[str, Any] = {"tool": f"hzcircle {VERSION}"}
    if layers is not None:
        out["data_year"] = layers.data_year
        out["data_date"] = layers.data_date
    out.update({k: v for k, v in facts.items() if v is not None})
    out["assumptions"] = assumptions.record()
    return out


def footer(assumptions: Assumptions = DEFAULT) -> str:
    """One line for map footers and report headers: the fingerprint and what was changed."""
    changed = assumptions.changed()
    what = ", ".join(f"{k}={v:g}" for k, v in changed.items()) if changed else "defaults"
    return f"assumptions {assumptions.digest()} ({what})"
