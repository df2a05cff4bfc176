"""Every notebook runs top to bottom on a fresh kernel (outputs are not kept in git)."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_four_notebooks():
    assert len(NOTEBOOKS) == 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "commit notebooks with outputs stripped (python notebooks/_make_notebooks.py)"
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert time.perf_counter() - t0 < 300
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "text/html" in o.get("data", {})]
    if "maps." in "".join(c.source for c in nb.cells) or "result.map" in "".join(
            c.source for c in nb.cells):
        assert any("leaflet" in o["data"]["text/html"].lower() or "iframe" in
                   o["data"]["text/html"].lower() for o in html), "a folium map renders inline"
