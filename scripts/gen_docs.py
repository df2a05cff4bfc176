"""Regenerate the generated parts of the docs: docs/cli.md and the assumptions table.

Run ``python scripts/gen_docs.py`` after changing the parser or an assumption;
``tests/test_docs.py`` fails while either is out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- assumptions:begin (generated) -->", "<!-- assumptions:end -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)


def method_text(text: str) -> str:
    from network.assumptions import table_markdown

    return BLOCK.sub(lambda _: f"{BEGIN}\n{table_markdown()}\n{END}", text)


def main() -> None:
    from network.cli import reference_markdown

    (ROOT / "docs" / "cli.md").write_text(reference_markdown() + "\n", encoding="utf-8")
    method = ROOT / "docs" / "method.md"
    method.write_text(method_text(method.read_text(encoding="utf-8")), encoding="utf-8")
    print("wrote docs/cli.md and the assumptions table of docs/method.md")


if __name__ == "__main__":
    main()
