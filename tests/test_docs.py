"""The documentation states the values the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from network import settings

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(\w+)`(?: \(([\w\-, ]+)\))? \| ([\d.]+) \|", re.MULTILINE)


def _rows():
    text = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
    return ROW.findall(text)


def test_method_table_is_not_empty():
    assert len(_rows()) >= 20


@pytest.mark.parametrize(("name", "keys", "value"), _rows())
def test_documented_setting_matches_code(name, keys, value):
    actual = getattr(settings, name)
    if keys:
        for key in keys.split(", "):
            assert actual[key] == pytest.approx(float(value)), (name, key)
    else:
        assert actual == pytest.approx(float(value)), name


def test_every_setting_is_documented():
    documented = {name for name, _, _ in _rows()}
    public = {n for n in vars(settings) if n.islower() and not n.startswith("_")
              and isinstance(getattr(settings, n), int | float | dict)}
    assert public <= documented, public - documented


def test_cli_reference_is_generated_from_the_parser():
    from network.cli import reference_markdown

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference_markdown() + "\n"
