"""YAML reading with line numbers for every key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    pass
from network.scenarios.spec import ScenarioError

# ------------------------------------------------------------------------------------------
# reading YAML with line numbers
# ------------------------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


def _load_yaml(text: str, where: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> _Map:
        loader.flatten_mapping(node)
        m = _Map()
        m.line = node.start_mark.line + 1
        m.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            m[key] = loader.construct_object(value_node, deep=True)
            m.key_lines[key] = key_node.start_mark.line + 1
        return m

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{where}{line}: not valid YAML ({problem}); fix the syntax") from None
