"""Every `hzcircle` example in the README and docs/ runs (exit 0), and the README's Python API
example runs, so the documentation cannot rot."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(bash|python)\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        for lang, body in BLOCK.findall(doc.read_text(encoding="utf-8")):
            if lang != "bash":
                continue
            for line in body.splitlines():
                line = line.split("  #")[0].strip()
                if line.startswith("hzcircle "):
                    out.append((doc.name, line))
    return out


EXAMPLES = _examples()


def test_docs_have_examples():
    assert len(EXAMPLES) >= 15


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    (d / "out").mkdir()
    (d / "maps").mkdir()
    (d / "scenarios").symlink_to(ROOT / "scenarios")
    return d


@pytest.mark.parametrize(("doc", "command"), EXAMPLES, ids=[f"{d}:{c[:60]}" for d, c in EXAMPLES])
def test_cli_example_runs(workdir, doc, command):
    # through the shell, as a reader would type it (globs, quotes)
    line = command.replace("hzcircle ", f"{shlex.quote(sys.executable)} -m network ", 1)
    r = subprocess.run(["bash", "-c", line], cwd=workdir, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, f"{doc}: {command}\n{r.stderr[-2000:]}"


def test_readme_python_example_runs(workdir):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = next(body for lang, body in BLOCK.findall(text) if lang == "python")
    r = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (workdir / "maps" / "iso.html").exists()
