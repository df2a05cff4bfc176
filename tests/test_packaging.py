"""pyproject.toml and environment.yml name the same packages; CI calls the README's command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI names
CONDA_NAMES = {"pyyaml": "pyyaml", "build": "python-build"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    pip_names |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    for d in env["dependencies"]:
        if isinstance(d, dict):  # the pip: section
            conda_names |= {_name(r) for r in d["pip"] if not r.startswith("-e")}
    conda_names.discard("python")
    conda_names.discard("pip")
    assert {CONDA_NAMES.get(n, n) for n in pip_names} == conda_names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "bash scripts/test.sh"
    assert command in readme
    assert command in ci


@pytest.mark.slow
def test_wheel_ships_the_layers_and_runs_outside_the_checkout(tmp_path):
    """A wheel built from the repo carries layers/ as network/data; installed on its own (no
    checkout on the path), the main job runs from an empty folder."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("hzcircle-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for layer in ("stations.geojson", "service_stops.csv", "metadata.json", "boundaries.geojson"):
        assert f"network/data/{layer}" in names
    assert not any(n.startswith("network/data/src/") or n.startswith("network/data/scripts/")
                   for n in names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HZCIRCLE_LAYERS"}
    env["PYTHONPATH"] = str(target)
    code = ("import network, sys; from network.cli import main; "
            "assert network.__file__.startswith(sys.argv[1]), network.__file__; "
            "sys.exit(main(['report', '--years', '2025', '-o', 'out', '--maps-dir', 'maps']))")
    out = subprocess.run([sys.executable, "-c", code, str(target)], cwd=work, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (work / "out" / "report.txt").is_file()
    assert (work / "maps" / "commute_circle.html").is_file()
    assert "data year 2026" in (work / "out" / "report.txt").read_text(encoding="utf-8")
