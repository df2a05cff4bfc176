"""The package keeps its stage order and has no import cycles (import-linter and grimp)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contract_kept():
    """No module imports a later stage of the data flow (contract in pyproject.toml)."""
    out = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command;"
                          "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_no_import_cycles():
    import grimp
    import networkx as nx

    graph = grimp.build_graph("network", exclude_type_checking_imports=True)
    g = nx.DiGraph()
    for m in graph.modules:
        for other in graph.find_modules_directly_imported_by(m):
            if not (other.startswith(m + ".") or m.startswith(other + ".")):  # package inits
                g.add_edge(m, other)
    cycles = list(nx.simple_cycles(g))
    assert not cycles, cycles[:5]


def test_cli_is_imported_by_nothing_in_the_library():
    """No module outside the network.cli package imports it or any of its modules."""
    import grimp

    graph = grimp.build_graph("network")
    cli = {m for m in graph.modules if m == "network.cli" or m.startswith("network.cli.")}
    assert {"network.cli._common", "network.cli._main", "network.cli.route"} <= cli
    importers = set().union(*(graph.find_modules_that_directly_import(m) for m in cli)) - cli
    assert importers <= {"network.__main__"}, importers


def test_cli_modules_stay_small():
    """The command line stays a thin layer: no module of network/cli over 300 lines."""
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "network" / "cli").glob("*.py")}
    assert len(sizes) >= 10, sizes
    assert max(sizes.values()) <= 300, sizes


def test_every_package_is_shipped():
    """Every folder of network/ with an __init__.py is listed in [tool.setuptools] packages
    (an unlisted one is missing from the wheel)."""
    import tomllib

    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                   ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "network").rglob("__init__.py")}
    assert found <= declared, sorted(found - declared)


def test_default_modes_are_one_value():
    from network import cli, graph

    assert cli.DEFAULT_MODES == graph.DEFAULT_MODES
