"""The documentation states the values the code uses: generated parts are current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _gen():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_method_assumptions_table_is_generated_from_the_object():
    text = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
    assert _gen().method_text(text) == text, "run: python scripts/gen_docs.py"


def test_every_assumption_is_in_the_method_table():
    from network.assumptions import NAMES

    text = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
    missing = [n for n in NAMES if f"| `{n}` |" not in text]
    assert not missing


def test_cli_reference_is_generated_from_the_parser():
    from network.cli import reference_markdown

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference_markdown() + "\n"
