"""``hzcircle --help`` and every ``hzcircle <command> --help`` print what docs/cli.md states.

tests/test_docs.py checks that docs/cli.md is generated from the parser; these tests check the
other side: the help the entry points actually print (``main``, ``python -m network``,
``python -m network.cli``) is the documented text, command by command, and every command the
parser has is documented.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTION = re.compile(r"^## `(hzcircle[^`]*)`\n\n```text\n(.*?)\n```$", re.DOTALL | re.MULTILINE)


def _documented() -> dict[str, str]:
    """Command path (``hzcircle scenario compare``) -> its help text in docs/cli.md."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in SECTION.finditer(text)}


DOCUMENTED = _documented()


def _parser_commands() -> set[str]:
    """Every command path of the parser, walked through its subparsers."""
    import argparse

    from network.cli import build_parser

    found = set()

    def walk(p: argparse.ArgumentParser, name: str) -> None:
        found.add(name)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")

    walk(build_parser(), "hzcircle")
    return found


def test_every_command_is_documented_once():
    assert len(DOCUMENTED) == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").count("\n## ")
    assert set(DOCUMENTED) == _parser_commands()
    assert {"hzcircle", "hzcircle layers check", "hzcircle travel-time", "hzcircle accel build",
            "hzcircle gtfs validate", "hzcircle report"} <= set(DOCUMENTED)


@pytest.mark.parametrize("command", sorted(DOCUMENTED))
def test_help_of_every_command_is_the_documented_text(command, monkeypatch):
    from network.cli import main

    monkeypatch.setenv("COLUMNS", "100")  # the width docs/cli.md is generated at
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main([*command.split()[1:], "--help"])
    assert exit_.value.code == 0
    assert out.getvalue().rstrip() == DOCUMENTED[command]


@pytest.mark.parametrize("module", ["network", "network.cli"])
def test_python_dash_m_prints_the_documented_help(module):
    env = {**os.environ, "COLUMNS": "100"}
    for command in ("hzcircle", "hzcircle scenario compare"):
        r = subprocess.run([sys.executable, "-m", module, *command.split()[1:], "--help"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        assert r.stdout.rstrip() == DOCUMENTED[command]


def test_python_dash_m_network_cli_runs_a_command():
    r = subprocess.run([sys.executable, "-m", "network.cli", "no-such-command"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "invalid choice: 'no-such-command'" in r.stderr


def _console_script() -> str | None:
    """The installed ``hzcircle`` script: on PATH, or beside this Python (a venv not activated)."""
    import shutil

    beside = Path(sys.executable).with_name("hzcircle")
    return shutil.which("hzcircle") or (str(beside) if beside.is_file() else None)


@pytest.mark.skipif(_console_script() is None, reason="console script not installed")
def test_console_script_prints_the_documented_help():
    env = {**os.environ, "COLUMNS": "100"}
    for command in ("hzcircle", "hzcircle travel-time", "hzcircle gtfs export"):
        r = subprocess.run([_console_script(), *command.split()[1:], "--help"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        assert r.stdout.rstrip() == DOCUMENTED[command]
