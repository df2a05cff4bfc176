"""Figures: written as PNG and SVG, deterministic, bilingual with a CJK font, English without."""

from __future__ import annotations

import math

import pytest

from network import Network, figures
from network._errors import InputError
from network.scorecard import scorecard
from network.surface import travel_time_surface


@pytest.fixture(scope="module")
def cards(real_layers):
    return [scorecard(Network(real_layers, year=y, modes="rail")) for y in (2020, 2025)]


def _written(paths):
    assert [p.suffix for p in paths] == [".png", ".svg"]
    png, svg = paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    return png, svg


def test_scorecard_figure_is_deterministic(cards, tmp_path):
    a = _written(figures.save_figure(figures.scorecard_figure(cards), tmp_path / "a"))
    b = _written(figures.save_figure(figures.scorecard_figure(cards), tmp_path / "b"))
    assert a[1].read_bytes() == b[1].read_bytes()
    assert a[0].read_bytes() == b[0].read_bytes()


def test_population_curve_is_the_cumulative_population(real_layers):
    s = travel_time_surface(Network(real_layers, year=2025, modes="rail"), "city:hangzhou")
    x, y = figures.population_curve(s)
    assert (x[1:] >= x[:-1]).all() and (y[1:] >= y[:-1]).all()
    # the curve at 60 minutes is the surface's own population within 60 minutes
    at60 = y[x <= 60][-1]
    assert math.isclose(at60, s.population_within(60), rel_tol=1e-9)
    fig = figures.population_curve_figure({"2025": s})
    assert fig.axes[0].get_lines()


def _number(v) -> bool:
    return v is not None and v == v


def test_scenario_gains_are_population_weighted(real_layers, tmp_path):
    from network.scenarios import compare_files

    rs = compare_files(["scenarios/nantong_ningbo_hsr.yaml"], layers=real_layers, year=2025)
    pops = dict(zip(real_layers.zones["code"], real_layers.zones["population_2020"],
                    strict=True))
    g, w = figures.scenario_gains(rs[0], pops)
    known = [z for z in rs[0].zones if z["kind"] == "county" and z["minutes_before"] is not None
             and z["minutes_after"] is not None and _number(pops.get(z["id"]))]
    assert len(g) == len(w) == len(known) > 30
    assert math.isclose(w.sum(), sum(pops[z["id"]] for z in known))
    assert sorted(g) == sorted(z["minutes_before"] - z["minutes_after"] for z in known)
    assert g.max() > 5  # the line brings someone closer
    _written(figures.save_figure(figures.scenario_gain_figure(rs, populations=pops),
                                 tmp_path / "gain"))


def test_tornado_takes_tuples_dicts_and_orders_by_width(tmp_path):
    rows = [("wait cap", 50, 58), {"assumption": "walk speed", "low_minutes": 52,
                                   "high_minutes": 54}, figures.Sensitivity("detour", 49, 60)]
    fig = figures.tornado_figure(rows, base_minutes=53.5)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["walk speed", "wait cap", "detour"]  # widest at the top
    _written(figures.save_figure(fig, tmp_path / "tornado"))
    with pytest.raises(InputError, match="finite"):
        figures.tornado_figure([("x", float("nan"), 1)], base_minutes=1)
    with pytest.raises(InputError, match="at least one"):
        figures.tornado_figure([], base_minutes=1)


def test_cjk_font_is_chosen_explicitly_when_installed():
    from matplotlib import font_manager

    family = figures.cjk_font()
    installed = any("NotoSansCJK" in p for p in font_manager.findSystemFonts())
    if installed:
        assert family == "Noto Sans CJK SC"
        assert figures.bilingual("counties", "县区") == "counties 县区"
    else:
        assert family is None or family in figures.CJK_FONTS


def test_english_fallback_without_a_cjk_font(cards, monkeypatch, tmp_path):
    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    assert figures.bilingual("counties", "县区") == "counties"
    fig = figures.scorecard_figure(cards)
    texts = [fig.axes[0].get_title(), fig.axes[0].get_ylabel(), fig.axes[1].get_title()]
    assert all(t.isascii() for t in texts)
    _written(figures.save_figure(fig, tmp_path / "en"))


def test_png_pixels_do_not_depend_on_the_compression_level(cards, tmp_path):
    """The PNG is written at zlib level 1 (faster); lossless, so the pixels equal Pillow's
    default level 6 of the same drawing."""
    import io

    import matplotlib
    import numpy as np
    from PIL import Image

    from network.figures import _rc, save_figure, scorecard_figure

    fig = scorecard_figure(cards)
    png = save_figure(fig, tmp_path / "f", formats=["png"])[0]
    ref = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(ref, format="png", metadata={"Software": "hzcircle (matplotlib)"}, dpi=150)
    ours = np.asarray(Image.open(png).convert("RGBA"))
    theirs = np.asarray(Image.open(io.BytesIO(ref.getvalue())).convert("RGBA"))
    assert ours.shape == theirs.shape and ours.shape[0] > 100
    assert (ours == theirs).all()


def _three(cards, real_layers):
    surfaces = {"2025": travel_time_surface(Network(real_layers, year=2025), "city:hangzhou")}
    return {"a": figures.scorecard_figure(cards), "b": figures.population_curve_figure(surfaces),
            "c": figures.tornado_figure([("x", 50, 70), ("y", 55, 58)], base_minutes=60)}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_save_figures_in_two_processes_writes_the_same_files(cards, real_layers, tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "f").mkdir()
    serial = figures.save_figures(_three(cards, real_layers),
                                  {n: tmp_path / "s" / n for n in "abc"}, parallel=False)
    forked = figures.save_figures(_three(cards, real_layers),
                                  {n: tmp_path / "f" / n for n in "abc"}, parallel=True)
    assert list(forked) == ["a", "b", "c"]
    for name in "abc":
        assert [p.name for p in forked[name]] == [f"{name}.png", f"{name}.svg"]
        for s, f in zip(serial[name], forked[name], strict=True):
            assert f.read_bytes() == s.read_bytes(), f.name  # written by the child for b and c


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_save_figures_reports_a_failure_in_the_forked_half(cards, real_layers, tmp_path):
    from network._errors import OutputError

    (tmp_path / "file").write_text("x")
    stems = {"a": tmp_path / "a", "b": tmp_path / "b", "c": tmp_path / "file" / "c"}
    with pytest.raises(OutputError, match="figures c"):
        figures.save_figures(_three(cards, real_layers), stems, parallel=True)
    assert (tmp_path / "a.png").exists()  # the parent's half was written


def test_no_fork_with_other_threads_or_without_a_free_core(monkeypatch):
    import os
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not figures._a_core_is_free()
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.8, 1.0, 1.0))  # ourselves + most of a core
    assert not figures._a_core_is_free()
    for load in (0.5, 1.1):  # ourselves alone (the load counts this process)
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, 1.0, 1.0))
        assert figures._a_core_is_free() == (__import__("sys").platform == "linux")
