"""Safe YAML reading with line numbers for every key.

A scenario file comes from users, so reading it is bounded: at most :data:`MAX_BYTES` of text,
:data:`MAX_DEPTH` levels of nesting, :data:`MAX_ALIASES` aliases and :data:`MAX_NODES` values
once aliases are expanded (a 1 KB "billion laughs" alias bomb is refused before it is built).
Mapping keys must be plain scalars; every refusal names the file and line.
"""

from __future__ import annotations

from typing import Any

from network.scenarios.spec import ScenarioError

#: Largest scenario file read (bytes). The shipped scenarios are 1-3 KB.
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists. A scenario needs 4 (file, modification, stop, field).
MAX_DEPTH = 32
#: Most aliases (``*name``) in one file.
MAX_ALIASES = 100
#: Most values (scalars, lists, mappings) once aliases are expanded.
MAX_NODES = 100_000

# ------------------------------------------------------------------------------------------
# reading YAML with line numbers
# ------------------------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class _Seq(list):
    """A YAML list that remembers its line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list


def _check_events(text: str, where: str) -> None:
    """Refuse deep nesting and too many aliases while streaming the parser's events (no
    recursion, nothing built)."""
    import yaml

    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"{where}:{event.start_mark.line + 1}: nested too deep (more "
                                    f"than {MAX_DEPTH} levels); a scenario needs a few levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ScenarioError(f"{where}:{event.start_mark.line + 1}: more than "
                                    f"{MAX_ALIASES} aliases (*name); write the values out")


def _check_expansion(root: Any, where: str) -> None:
    """Refuse a node graph whose alias expansion exceeds :data:`MAX_NODES` values."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node: Any) -> int:  # depth is bounded by MAX_DEPTH
        key = id(node)
        if key not in sizes:
            if isinstance(node, yaml.MappingNode):
                total = 1 + sum(size(k) + size(v) for k, v in node.value)
            elif isinstance(node, yaml.SequenceNode):
                total = 1 + sum(size(v) for v in node.value)
            else:
                total = 1
            sizes[key] = total
            if total > MAX_NODES:
                raise ScenarioError(f"{where}:{node.start_mark.line + 1}: aliases expand to more "
                                    f"than {MAX_NODES:,} values (an alias bomb?); write the "
                                    "values out")
        return sizes[key]

    if root is not None:
        size(root)


def _load_yaml(text: str, where: str) -> Any:
    import yaml

    if len(text) > MAX_BYTES:
        raise ScenarioError(f"{where}: file too large ({len(text):,} characters, at most "
                            f"{MAX_BYTES:,}); a scenario is a short YAML file")

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> _Map:
        loader.flatten_mapping(node)
        m = _Map()
        m.line = node.start_mark.line + 1
        m.key_lines = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(f"{where}:{line}: a key must be plain text, not a "
                                    f"{'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}"
                                    "; write key: value")
            key = key_node.value  # the key as written (yes/1/null stay text)
            if key in m:
                raise ScenarioError(f"{where}:{line}: key {key!r} appears twice in one mapping; "
                                    "keep one")
            m[key] = loader.construct_object(value_node, deep=True)
            m.key_lines[key] = line
        return m

    def construct_sequence(loader: Any, node: Any, deep: bool = False) -> _Seq:
        seq = _Seq(loader.construct_object(child, deep=True) for child in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [child.start_mark.line + 1 for child in node.value]
        return seq

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    try:
        _check_events(text, where)
        loader = Loader(text)
        try:
            root = loader.get_single_node()
            _check_expansion(root, where)
            return loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{where}{line}: not valid YAML ({problem}); fix the syntax") from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a timestamp like 2020-99-99
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"{where}: a value cannot be read ({str(exc)[:120]}); quote it or "
                            "fix it") from None
