"""The map options of the command line: self-contained by default, --cdn and --tiles opt in."""

from __future__ import annotations

import re
from pathlib import Path

from network.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"<(script|link)[^>]+(src|href)=\"https?://")


def test_map_is_self_contained_by_default_and_cdn_opts_in(tmp_path, capsys):
    out = tmp_path / "n.html"
    assert main(["map", "network", "--year", "2020", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(page) and "L.tileLayer" not in page
    cdn = tmp_path / "c.html"
    assert main(["map", "network", "--year", "2020", "--cdn", "--tiles", "osm",
                 "-o", str(cdn)]) == 0
    text = cdn.read_text(encoding="utf-8")
    assert EXTERNAL.search(text) and "tile.openstreetmap.org" in text
    assert cdn.stat().st_size < out.stat().st_size / 2
    assert "Leaflet from CDN" in capsys.readouterr().out


def test_unknown_tiles_is_a_usage_error(tmp_path, capsys):
    try:
        main(["map", "network", "--tiles", "google", "-o", str(tmp_path / "x.html")])
    except SystemExit as exc:
        assert exc.code == 2
    assert "invalid choice: 'google'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_scenario_compare_map_draws_every_scenario(tmp_path, capsys):
    out = tmp_path / "s.html"
    files = [str(ROOT / "scenarios" / "nantong_ningbo_hsr.yaml"),
             str(ROOT / "scenarios" / "hangzhou_airport_hsr.yaml")]
    assert main(["scenario", "compare", *files, "--year", "2025", "--map", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    names = re.findall(r"^name:\s*(.+)$", "\n".join(Path(f).read_text(encoding="utf-8")
                                                     for f in files), flags=re.M)
    assert len(names) == 2
    for name in names:  # both scenarios are layers of the switcher
        assert name.strip().strip("'\"")[:20] in page
    assert page.count("L.featureGroup(") >= 2 + 4  # two scenario groups, four rail classes
