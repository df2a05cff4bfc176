"""Reading a scenario file: parse, validate completely, return a Scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    from network.layers import Layers
from network.scenarios._yaml import _load_yaml
from network.scenarios.checks import _Check, _check_modification, _state
from network.scenarios.spec import Scenario, ScenarioError


def parse_scenario(text: str, layers: Layers, *, where: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario; raise :class:`ScenarioError` listing every problem."""
    data = _load_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping with name and modifications")
    c = _Check(where, layers)
    for key in ("name", "modifications"):
        if key not in data:
            c.errors.append(f"{where}:{getattr(data, 'line', 1)}: missing field {key!r}")
    for key in set(data) - {"name", "description", "source", "hypothetical", "modifications"}:
        c.err(data, key, "unknown field; allowed: name, description, source, hypothetical, "
                         "modifications")
    mods = data.get("modifications") or []
    if not isinstance(mods, list):
        c.err(data, "modifications", "must be a list")
        mods = []
    state = _state(layers)
    for i, m in enumerate(mods):
        _check_modification(c, m, i, state)
    if c.errors:
        raise ScenarioError("\n".join(c.errors))
    return Scenario(str(data.get("name", "")).strip(), list(mods),
                    str(data.get("description", "")).strip(), str(data.get("source", "")).strip(),
                    bool(data.get("hypothetical", False)), where)


def read_scenario(path: str | Path, layers: Layers) -> Scenario:
    """Read and validate a scenario file (UTF-8 YAML)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}: scenario file not found")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as "
                            "UTF-8") from None
    return parse_scenario(text, layers, where=str(p))


# ------------------------------------------------------------------------------------------

def check_file(path: str, layers: Layers) -> Scenario:
    """Validate only (``hzcircle scenario check``)."""
    return read_scenario(path, layers)
