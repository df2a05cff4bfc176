"""Reading a scenario file: parse, validate completely, return a Scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    from network.layers import Layers
from network._errors import shorten
from network.scenarios._yaml import MAX_BYTES, _load_yaml
from network.scenarios.checks import _Check, _check_modification, _check_text, _state
from network.scenarios.spec import Scenario, ScenarioError


def parse_scenario(text: str, layers: Layers, *, where: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario; raise :class:`ScenarioError` listing every problem."""
    data = _load_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}:1: a scenario is a mapping with name and modifications, "
                            f"not {_kind(data)}")
    c = _Check(where, layers)
    for key in ("name", "modifications"):
        if key not in data:
            c.errors.append(f"{where}:{getattr(data, 'line', 1)}: missing field {key!r}")
    _check_header(c, data)
    for key in set(data) - {"name", "description", "source", "hypothetical", "modifications"}:
        c.err(data, key, "unknown field; allowed: name, description, source, hypothetical, "
                         "modifications")
    mods = data.get("modifications") or []
    if not isinstance(mods, list):
        c.err(data, "modifications", "must be a list")
        mods = []
    c.item_lines = list(getattr(mods, "item_lines", []))
    state = _state(layers)
    for i, m in enumerate(mods):
        _check_modification(c, m, i, state)
    if c.errors:
        raise ScenarioError("\n".join(c.errors))
    return Scenario(str(data.get("name", "")).strip(), list(mods),
                    str(data.get("description", "")).strip(), str(data.get("source", "")).strip(),
                    bool(data.get("hypothetical", False)), where)


def _kind(data: object) -> str:
    if data is None:
        return "an empty file"
    return "a list" if isinstance(data, list) else f"a {type(data).__name__}"


def _check_header(c: _Check, data: dict) -> None:
    """The scenario's own fields: text where text is expected, no markup in its name."""
    for key in ("name", "description", "source"):
        if key in data and not isinstance(data[key], str):
            c.err(data, key, f"must be text, not {type(data[key]).__name__}")
    if isinstance(data.get("name"), str):
        _check_text(c, data, "name", None)
    if "hypothetical" in data and not isinstance(data["hypothetical"], bool):
        c.err(data, "hypothetical", "must be true or false")


def read_scenario(path: str | Path, layers: Layers) -> Scenario:
    """Read and validate a scenario file (UTF-8 YAML)."""
    import stat

    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise ScenarioError(f"{shorten(p)[1:-1]}: scenario file not found") from None
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(f"{p}: not a regular file (a folder, FIFO or device); give a YAML "
                            "scenario file")
    if st.st_size > MAX_BYTES:
        raise ScenarioError(f"{p}: file too large ({st.st_size:,} bytes, at most {MAX_BYTES:,}); "
                            "a scenario is a short YAML file")
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as "
                            "UTF-8") from None
    return parse_scenario(text, layers, where=str(p))


# ------------------------------------------------------------------------------------------

def check_file(path: str, layers: Layers) -> Scenario:
    """Validate only (``hzcircle scenario check``)."""
    return read_scenario(path, layers)
