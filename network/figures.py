"""Figures for planners (matplotlib, PNG and SVG): the scorecard by year, the cumulative
population-by-minutes curve from the core, the population-weighted scenario gains and a
tornado of the sensitivity to the assumptions.

Labels are bilingual when a CJK font is installed: the font is chosen explicitly (Noto Sans CJK
SC from Debian's ``fonts-noto-cjk``, or another of :data:`CJK_FONTS`) and the figures fall back
to English-only labels when none is found, so no glyph is ever drawn as a box. Figures are
drawn on :class:`matplotlib.figure.Figure` objects (no pyplot state) and written atomically;
SVG output carries no date and a fixed id salt, so identical runs give identical files.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network._io import write_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from network.scenarios import Comparison
    from network.scorecard import Scorecard
    from network.surface import Surface

#: CJK-capable fonts tried in order.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "PingFang SC")
#: The figure formats written.
FORMATS = ("png", "svg")
_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d"]


_CJK_FILES = ("notosanscjk", "sourcehansans", "wqy-zenhei", "msyh", "pingfang")


def _installed(family: str) -> bool:
    from matplotlib import font_manager

    try:
        font_manager.findfont(font_manager.FontProperties(family=family),
                              fallback_to_default=False)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or None (English labels only).

    Fonts installed after matplotlib built its font cache are found by scanning the system
    font folders for the files of :data:`CJK_FONTS` and registering them.
    """
    from matplotlib import font_manager

    for family in CJK_FONTS:
        if _installed(family):
            return family
    for path in font_manager.findSystemFonts():
        if any(k in Path(path).name.lower() for k in _CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file
                continue
    return next((f for f in CJK_FONTS if _installed(f)), None)


def bilingual(en: str, zh: str) -> str:
    """``en zh`` when a CJK font is installed, else ``en``."""
    return f"{en} {zh}" if cjk_font() else en


def _rc() -> dict[str, Any]:
    family = cjk_font()
    return {"font.family": ["sans-serif"],
            "font.sans-serif": ([family] if family else []) + ["DejaVu Sans"],
            "svg.hashsalt": "hzcircle", "svg.fonttype": "path", "axes.unicode_minus": False,
            "figure.dpi": 100}


def _new(width: float = 8.0, height: float = 4.5, ncols: int = 1) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def save_figure(fig: Figure, stem: str | Path, *, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` atomically; returns the paths."""
    import matplotlib

    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise InputError(f"unknown figure format {fmt!r}; use png or svg")
    out = []
    engine = fig.get_layout_engine()
    try:
        for i, fmt in enumerate(formats):
            buf = io.BytesIO()
            meta = {"Date": None} if fmt == "svg" else {"Software": "hzcircle (matplotlib)"}
            # PNG: zlib level 1, not Pillow's 6: the same pixels, files ~8 % larger, the
            # encoding about twice as fast
            extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
            with matplotlib.rc_context(_rc()):
                fig.savefig(buf, format=fmt, metadata=meta, dpi=150, **extra)
            if i == 0 and engine is not None:
                # the first save laid the figure out; the other formats reuse that layout
                # (the same figure size, so the same positions) instead of solving it again
                fig.set_layout_engine("none")
            data = buf.getvalue()
            path = Path(f"{stem}.{fmt}")
            out.append(write_atomic(path, lambda tmp, data=data: tmp.write_bytes(data)))
    finally:
        if engine is not None and fig.get_layout_engine() is not engine:
            fig.set_layout_engine(engine)
    return out


def save_figures(figs: Mapping[str, Figure], stems: Mapping[str, str | Path], *,
                 formats: Sequence[str] = FORMATS,
                 parallel: bool | None = None) -> dict[str, list[Path]]:
    """Write several figures (each as :func:`save_figure` does); returns the paths by name.

    Drawing is single-threaded Python (matplotlib), so with ``parallel`` a forked process
    writes the second half of the figures while this one writes the first half: the same code
    on the same figure objects, so the same files. ``parallel=None`` forks only where it can
    pay and is safe: on Linux, with one thread in this process, at least two usable cores and
    a one-minute load average that, less this process itself, leaves one of them free (on a
    busy machine the two halves would only take turns on the same core).

    Parameters
    ----------
    figs
        Name -> figure.
    stems
        Name -> output path without suffix (every name of ``figs``).
    formats
        Formats written for each figure.
    parallel
        Fork (True), never fork (False) or decide from the machine (None).

    Raises
    ------
    InputError
        An unknown format.
    OutputError
        A file cannot be written (in either process).
    """
    from network._errors import OutputError

    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise InputError(f"unknown figure format {fmt!r}; use png or svg")
    names = list(figs)
    if parallel is None:
        parallel = _a_core_is_free()
    if not parallel or len(names) < 2:
        return {n: save_figure(figs[n], stems[n], formats=formats) for n in names}
    import multiprocessing
    import sys

    split = (len(names) + 1) // 2
    mine, theirs = names[:split], names[split:]
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # the child must not write the parent's buffers again
        stream.flush()
    child = ctx.Process(target=_save_in_child, daemon=True,
                        args=(send, [(figs[n], stems[n]) for n in theirs], list(formats)))
    child.start()
    send.close()
    try:
        out = {n: save_figure(figs[n], stems[n], formats=formats) for n in mine}
    finally:
        try:
            status, payload = recv.recv()
        except EOFError:
            status, payload = "error", f"the figure process ended with code {child.exitcode}"
        recv.close()
        child.join()
    if status != "ok":
        raise OutputError(f"cannot write the figures {', '.join(theirs)}: {payload}")
    out.update({n: [Path(p) for p in paths] for n, paths in zip(theirs, payload, strict=True)})
    return {n: out[n] for n in names}


def _save_in_child(conn: Any, jobs: list[tuple[Figure, str | Path]], formats: list[str]) -> None:
    """The forked half of :func:`save_figures`: save, then send the paths or the error."""
    try:
        conn.send(("ok", [[str(p) for p in save_figure(fig, stem, formats=formats)]
                          for fig, stem in jobs]))
    except BaseException as exc:  # reported to the parent, which raises
        conn.send(("error", str(exc) or type(exc).__name__))
    finally:
        conn.close()


def _a_core_is_free() -> bool:
    """Whether forking a figure process can pay (see :func:`save_figures`)."""
    import os
    import sys
    import threading

    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    cores = len(os.sched_getaffinity(0))
    # the load average counts this busy process itself (about 1); the other processes may
    # use at most half a core of the rest
    return cores >= 2 and os.getloadavg()[0] - 1.0 <= cores - 1.5


def _drawn(draw: Any) -> Any:
    """Run ``draw`` inside the figures' rc context (fonts chosen explicitly)."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        return draw()


# ------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------


def scorecard_figure(cards: Sequence[Scorecard]) -> Figure:
    """The scorecard by year: people within the hour (share of the circle) and, per city, the
    counties within the hour."""
    if not cards:
        raise InputError("scorecard_figure needs at least one scorecard")

    def draw() -> Figure:
        fig, (ax1, ax2) = _new(10, 4.5, 2)
        labels = [str(c.year) + (f"\n{c.reading}" if getattr(c, "reading", None) else "")
                  for c in cards]
        people = [c.population_within_hour / 1e6 for c in cards]
        bars = ax1.bar(labels, people, color=_COLOURS[0])
        for b, c in zip(bars, cards, strict=True):
            share = c.population_within_hour / c.population_total if c.population_total else 0
            ax1.annotate(f"{b.get_height():.2f} M\n{share:.0%}", (b.get_x() + b.get_width() / 2,
                         b.get_height()), ha="center", va="bottom", fontsize=9)
        ax1.set_ylabel(bilingual("people within the hour (millions)", "一小时内人口(百万)"))
        ax1.set_title(bilingual("Population within the hour", "一小时通勤圈人口"))
        ax1.margins(y=0.25)
        cities = [c.city for c in cards[0].cities]
        x = np.arange(len(cities))
        width = 0.8 / len(cards)
        for i, card in enumerate(cards):
            within = [c.counties_within_hour for c in card.cities]
            ax2.bar(x + i * width - 0.4 + width / 2, within, width, label=labels[i].replace("\n", " "),
                    color=_COLOURS[i % len(_COLOURS)])
        totals = [c.counties for c in cards[0].cities]
        ax2.scatter(x, totals, marker="_", s=400, color="#333", label="counties", zorder=3)
        ax2.set_xticks(x, cities, rotation=30, ha="right")
        ax2.set_ylabel(bilingual("counties within the hour", "一小时内县区数"))
        ax2.set_title(bilingual("Counties within the hour, by city", "各市一小时内县区"))
        ax2.legend(fontsize=8)
        fig.suptitle(f"{cards[0].core}: both ways ≤ {cards[0].minutes:g} min, modes "
                     f"{cards[0].modes}", fontsize=10)
        return fig

    return _drawn(draw)


def population_curve(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """Minutes (sorted) and the cumulative population of the cells reached within them."""
    minutes = np.asarray(surface.minutes, float)
    pop = np.nan_to_num(np.asarray(surface.grid.population, float))
    ok = np.isfinite(minutes)
    order = np.argsort(minutes[ok], kind="stable")
    return minutes[ok][order], np.cumsum(pop[ok][order])


def population_curve_figure(surfaces: dict[str, Surface], *, limit: float = 60.0,
                            max_minutes: float = 180.0) -> Figure:
    """Cumulative people within N minutes of the core, one curve per surface (year or mode)."""
    if not surfaces:
        raise InputError("population_curve_figure needs at least one surface")

    def draw() -> Figure:
        fig, ax = _new(8, 4.5)
        for i, (label, s) in enumerate(surfaces.items()):
            x, y = population_curve(s)
            keep = x <= max_minutes
            ax.step(np.r_[0, x[keep]], np.r_[0, y[keep]] / 1e6, where="post", label=label,
                    color=_COLOURS[i % len(_COLOURS)])
        ax.axvline(limit, color="#888", ls="--", lw=1)
        ax.annotate(f"{limit:g} min", (limit, 0), xytext=(3, 3), textcoords="offset points",
                    fontsize=8, color="#555")
        ax.set_xlim(0, max_minutes)
        ax.set_xlabel(bilingual("minutes from the core", "距核心分钟"))
        ax.set_ylabel(bilingual("people reached (millions)", "可达人口(百万)"))
        first = next(iter(surfaces.values()))
        ax.set_title(bilingual("Population within N minutes of the core", "核心N分钟可达人口")
                     + f" ({first.origin})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        return fig

    return _drawn(draw)


def scenario_gains(c: Comparison, populations: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per county: minutes gained (slower way to/from the core) and its population."""
    gains, weights = [], []
    for z in c.zones:
        if z["kind"] != "county" or z["minutes_before"] is None or z["minutes_after"] is None:
            continue
        pop = populations.get(z["id"])
        if pop is None or pop != pop:
            continue
        gains.append(z["minutes_before"] - z["minutes_after"])
        weights.append(pop)
    return np.asarray(gains, float), np.asarray(weights, float)


def scenario_gain_figure(comparisons: Sequence[Comparison], *,
                         populations: dict[str, float]) -> Figure:
    """Population-weighted histogram of the minutes gained per county, one series per scenario.

    ``populations`` maps county codes to people (``layers.zones`` ``population_2020``).
    """
    if not comparisons:
        raise InputError("scenario_gain_figure needs at least one comparison")

    def draw() -> Figure:
        fig, ax = _new(8, 4.5)
        full = [scenario_gains(c, populations) for c in comparisons]
        series = [(g[np.abs(g) > 0.5], w[np.abs(g) > 0.5]) for g, w in full]
        unchanged = [float(w[np.abs(g) <= 0.5].sum()) for g, w in full]
        allg = np.concatenate([g for g, _ in series]) if series else np.zeros(0)
        lo = min(-1.0, float(np.floor(allg.min()))) if allg.size else -1.0
        hi = max(1.0, float(np.ceil(allg.max()))) if allg.size else 1.0
        step = max(1.0, float(np.ceil((hi - lo) / 30)))
        bins = np.arange(lo, hi + step, step)
        for i, (c, (g, w)) in enumerate(zip(comparisons, series, strict=True)):
            ax.hist(g, bins=bins, weights=w / 1e6, histtype="step", lw=2,
                    color=_COLOURS[i % len(_COLOURS)],
                    label=f"{c.scenario.name[:55]} (unchanged: {unchanged[i] / 1e6:.1f} M)")
        ax.axvline(0, color="#888", lw=1)
        ax.set_xlabel(bilingual("minutes gained to/from the core (slower way)", "节省分钟"))
        ax.set_ylabel(bilingual("people (millions)", "人口(百万)"))
        ax.set_title(bilingual("Who gains: population-weighted county gains", "情景收益分布")
                     + f" ({comparisons[0].year}; counties with |gain| > 0.5 min)", fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        return fig

    return _drawn(draw)


@dataclass(frozen=True)
class Sensitivity:
    """One tornado bar: the result with an assumption at its low and high plausible value."""

    assumption: str
    low_minutes: float
    high_minutes: float


def _rows(rows: Iterable[Any]) -> list[Sensitivity]:
    out = []
    for r in rows:
        if isinstance(r, Sensitivity):
            out.append(r)
            continue
        if isinstance(r, dict):
            r = (r["assumption"], r["low_minutes"], r["high_minutes"])
        name, lo, hi = r
        lo, hi = float(lo), float(hi)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise InputError(f"sensitivity of {name!r}: minutes must be finite, got {lo}, {hi}")
        out.append(Sensitivity(str(name), lo, hi))
    return out


def tornado_figure(rows: Iterable[Any], *, base_minutes: float,
                   what: str = "minutes to the core") -> Figure:
    """A tornado of the sensitivity: per assumption, the result at its low and high value.

    Parameters
    ----------
    rows
        ``(assumption, low_minutes, high_minutes)`` tuples, dicts with those keys or
        :class:`Sensitivity` objects (e.g. the output of the uncertainty runs).
    base_minutes
        The result with every assumption at its default.
    what
        What the minutes measure (axis label).
    """
    data = sorted(_rows(rows), key=lambda s: abs(s.high_minutes - s.low_minutes))
    if not data:
        raise InputError("tornado_figure needs at least one (assumption, low, high) row")

    def draw() -> Figure:
        fig, ax = _new(8, 0.6 + 0.4 * len(data))
        y = np.arange(len(data))
        lows = np.array([s.low_minutes for s in data]) - base_minutes
        highs = np.array([s.high_minutes for s in data]) - base_minutes
        ax.barh(y, lows, left=base_minutes, color=_COLOURS[0], label="assumption at low value")
        ax.barh(y, highs, left=base_minutes, color=_COLOURS[1], label="assumption at high value")
        ax.axvline(base_minutes, color="#333", lw=1)
        ax.set_yticks(y, [s.assumption for s in data])
        ax.set_xlabel(what)
        ax.set_title(bilingual("Sensitivity to the assumptions", "假设敏感性")
                     + f" (base {base_minutes:.1f})", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        return fig

    return _drawn(draw)
