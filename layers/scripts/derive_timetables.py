#!/usr/bin/env python3
"""Derive rail run minutes from public timetables and km posts, with per-value provenance.

Patches ``layers/service_stops.csv`` in place: every row gets ``provenance`` (``timetable``,
``official``, ``derived`` or ``estimate``) and ``vintage`` (when the figure was valid, e.g.
``2021-01``); ``estimate`` is kept equal to ``provenance == "estimate"``. Rows this script can
derive are recomputed from the sources each run; the other rows keep their values, and their
provenance defaults to ``estimate`` (``estimate=1``) or ``official`` (``estimate=0``) unless an
earlier run or a person set it.

Sources (third-party checkouts, read with ``git show``; nothing of them is copied here):

- ``--railwayvis DIR``: git directory of ``thaddywu/RailwayVIS`` (Apache-2.0).
  ``scripts/schedulers/<station>.csv`` (GBK): one row per train calling at the station
  (type, 始/过/终, train, origin, terminus, arrival, departure), committed 2021-01-19, so the
  timetable of about January 2021. Joining a train number across station files gives the
  departure-to-arrival time between two stations.
- ``--mileage DIR``: git directory of ``KZ25T/ChinaRail_Mileage_Calculation``; ``data.h``
  (GB18030): official fare-distance km posts (客运里程表, late 2021) per line.
- ``--metro DIR``: git directory of ``Aqingss/Hangzhou-Metro-Navigation-Mini-Program``;
  ``miniprogram-2/data/details.js``: first and last trains per Hangzhou Metro station and
  direction (snapshot committed 2025-06-21).

Methods (each row's ``source`` says which, with its numbers):

- **timetable**: a hop between two timetable stations with no stop between them: the most
  common departure-to-arrival time of the trains of the right kind (G/D/C for high-speed
  services) in both directions; for ``nonstop``/``limited`` services the fastest train.
- **derived (km posts)**: a stopping service between two timetable stations A and B with m
  intermediate stops: the fastest A–B train (T_fast) is split over the hops by official km,
  and the stop loss measured from the same timetable, loss = (T_slow − T_fast) / m − dwell
  (T_slow = the 90th-percentile A–B time, a train calling at most stops, among the trains
  within 8 min a stop of the fastest; slower ones run another way or wait to be overtaken), is added half to
  each hop next to an intermediate stop. The hops then add up to T_slow − m × dwell, so with
  the recorded dwells an all-stop trip takes T_slow.
- **derived (conventional, proxy km)**: the conventional services of ``CONV_PROXY_ROUTES``
  (Shanghai–Kunming Hangzhou–Jiangshan): as above with the K/T/Z trains only (``CONV_TYPES``)
  and T_slow = the median of all of them (K trains are slower than T/Z by speed class, not
  only by stops, so none is left out); the conventional line's km posts are not in
  ``data.h``, so beyond Hangzhou South the parallel HSR's official km posts split the time
  (a proxy, stated in each row; range ±5 min).
- **derived (conventional, official km)**: the conventional services of ``CONV_KM_ROUTES``
  (Xuancheng–Hangzhou railway), on a line whose own km posts are in ``data.h``: the K/T/Z
  trains between the two timetable stations, T_slow = their median (as the proxy method), the
  fastest split by the line's official km (:func:`_run_conv_km`); range ±10 min a hop.
- **derived (few trains)**: the conventional services of ``CONV_SPARSE_ROUTES`` (Anhui–Jiangxi
  railway), whose station files carry only a couple of trains (T151/T152): as the km-post
  method above with any train type and at least 2 trains; the line's km posts are extended to
  鹰潭 by ``EXTRA_KM_POSTS`` (sourced); range ±15 min.
- **derived (official end-to-end split by official km)**: services of ``OFFICIAL_SPLITS`` with
  no station timetable in the sources (the Shaoxing S-trains Hangzhou South–Ningbo): the
  published end-to-end minutes less the recorded dwells, shared by the hops in proportion to
  their ``data.h`` km (a station opened after data.h placed by a sourced ``EXTRA_KM_POSTS``
  entry); only the hops named there are set (the others rest on a more specific source).
- **derived (last trains)**: a metro hop = the difference of the last-train (else
  first-train) departure times of its two stations in that direction, averaged over the two
  directions; these are departure-to-departure times, so they include the stop and the row's
  dwell is cleared (dwell was counted twice before).

- **headways** (``services.csv``): for the non-stop services of ``HEADWAY_FAST``, the trains
  a day within 2 min of the fastest between their two stations, over ~16 operating hours;
  for the services of ``HEADWAY_COUNTS``, the trains of the service's kind between its two
  timetable stations, per direction: 60 / trains per peak hour (departures 07:00–09:00) when
  each direction has at least 2 then, else from the trains a day (``headway_from_runs``).
- Hops on the same track and pattern as a derived hop of another service take its value
  (``REUSE``).

Usage::

    python layers/scripts/derive_timetables.py --railwayvis /work/.mirror/thaddywu+RailwayVIS/repo \
        --mileage /work/.mirror/KZ25T+ChinaRail_Mileage_Calculation/repo \
        --metro /work/.mirror/Aqingss+Hangzhou-Metro-Navigation-Mini-Program/repo
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

LAYERS = Path(__file__).resolve().parent.parent
STOPS = LAYERS / "service_stops.csv"
COLUMNS = ["service_id", "seq", "station_id", "run_minutes", "dwell_minutes", "opened",
           "estimate", "provenance", "vintage", "source"]
PROVENANCES = ("timetable", "official", "derived", "estimate")

RV_URL = "https://github.com/thaddywu/RailwayVIS (scripts/schedulers/*.csv, committed 2021-01-19)"
KM_URL = "https://github.com/KZ25T/ChinaRail_Mileage_Calculation (data.h, official km posts, 2021)"
METRO_URL = ("https://github.com/Aqingss/Hangzhou-Metro-Navigation-Mini-Program "
             "(miniprogram-2/data/details.js, first/last trains, committed 2025-06-21)")
RV_VINTAGE = "2021-01"
METRO_VINTAGE = "2025-06"

#: our name_zh -> the name in the sources, where it differs (renamed stations)
ALIASES = {"上海松江": "松江南"}

#: high-speed services: their route as (data.h line, from, to) pieces, in stop order
HSR_ROUTES = {
    "hsr_shanghai_hangzhou_allstop": [("沪昆高速线", "上海虹桥", "杭州东")],
    "hsr_hangzhou_changsha_allstop": [("沪昆高速线", "杭州东", "上饶")],
    "hsr_hangzhou_ningbo_allstop": [("杭深线", "杭州东", "宁波")],
    "hsr_nanjing_hangzhou_allstop": [("宁杭高速线", "南京南", "杭州东")],
    "hsr_hefei_fuzhou_allstop": [("合福高速线", "合肥南", "上饶")],
    "hsr_hangzhou_huangshan_allstop": [("沪昆高速线", "杭州东", "杭州南"),
                                       ("杭昌高速线杭黄段", "杭州南", "黄山北")],
    # limited and non-stop patterns: the fastest train split by km, plus the stop loss at
    # their own stops (stations they pass add nothing)
    "hsr_hangzhou_ningbo_limited": [("杭深线", "杭州东", "宁波")],
    "hsr_hangzhou_shaoxing_nonstop": [("杭深线", "杭州东", "宁波")],
    "hsr_hangzhou_huangshan_g7482": [("沪昆高速线", "杭州东", "杭州南"),
                                     ("杭昌高速线杭黄段", "杭州南", "黄山北")],
}
#: conventional services on lines with km posts
CONV_ROUTES = {
    "conv_jiujiang_quzhou_local": [("衢九线", "九江", "衢州")],
}
#: conventional services on single-track lines where the station timetables carry only a few
#: trains (fewer than MIN_TRAINS): (data.h pieces, minimum trains, plausible range in min).
#: 皖赣线: only T151/T152 (Nanjing–Guangzhou) appear at 黄山 in the 2021-01 files; 黄山 to the
#: next timetable station south, 鹰潭, is timed by them.
CONV_SPARSE_ROUTES = {
    "conv_anhui_jiangxi_local": ([("皖赣线", "芜湖", "鹰潭")], 2, 15),
}
#: km posts added to a data.h line where the line runs on beyond its last data.h station:
#: (line, km, station, source of the km)
EXTRA_KM_POSTS = [
    ("皖赣线", 570, "鹰潭",
     "鹰潭 at km 570 = the Wuhu–Yingtan route length of the en.wikipedia Anhui–Jiangxi railway "
     "infobox (its text gives Wuhu–Guixi 551 km, data.h 贵溪 550), https://encyclopedia.datana.cloud/"
     "content/wikipedia_en_all_mini_2024-04/A/Anhui%E2%80%93Jiangxi_railway"),
    ("杭甬线", 68.7, "迪荡",
     "迪荡 (opened 2022, after data.h) at km 68.7 = 绍兴 63 + 5.7 km, ±0.5 km: Didang lies ~0.7 km "
     "east of the site of the pre-2013 Shaoxing East station (zh-Wikipedia 迪荡站, "
     "https://zh.wikipedia-ipfs.org/wiki/%E8%BF%AA%E8%8D%A1%E7%AB%99), which the Xiaoshan–Ningbo "
     "route map puts at km 43 against Shaoxing's 38 (en-Wikipedia, "
     "http://wikien3.appspot.com/wiki/Xiaoshan%E2%80%93Ningbo_railway)"),
]
#: services with no station timetable in the sources whose hops are an official end-to-end time
#: split by official km: the route as data.h pieces (plus ``EXTRA_KM_POSTS``), the published
#: minutes between the route's ends (stops included), the seqs set from it (the service's other
#: hops rest on a more specific source and are left alone), the plausible range (± min), the
#: vintage and the source of the time
OFFICIAL_SPLITS = {
    "conv_xiaoshan_ningbo_intercity": {
        "pieces": [("杭甬线", "杭州南", "宁波")],
        "minutes": 120,
        "seqs": (2, 3),
        "plausible": 5,
        "vintage": "2023-08",
        "source": ("Ningbo–Hangzhou South through S-trains from 2023-08-01: 147 km, 'about 2 hours', "
                   "calling at Yuyao, Shangyu, Didang, Shaoxing, Qianqing (China Daily 2023-08-01, "
                   "https://www.ehangzhou.gov.cn/2023-08/01/c_286008.htm ; Shaoxing Daily 2023-08-03, "
                   "http://m.guhantai.com/zxpd/rd/2023/0803/100037452.html)"),
    },
}
#: conventional services on lines without km posts in data.h: [(km, station)] where the km of
#: the conventional line are taken from the parallel line named in ``CONV_PROXY_NOTE`` (a
#: proxy: the conventional line's own fare-distance km are not in the source); only K/T/Z trains
CONV_PROXY_ROUTES = {
    # 杭州–杭州南 27 km: 杭甬线 (official); beyond 杭州南: the 沪昆高速线 km posts shifted to
    # 杭州南 = 27 (杭州南 175, 诸暨 225, 义乌 268, 金华 320, 龙游 364, 衢州 398, 江山 428,
    # 玉山南 466 for 玉山, 上饶 500)
    "conv_shanghai_kunming_local": [(0, "杭州"), (27, "杭州南"), (77, "诸暨"), (120, "义乌"),
                                    (172, "金华"), (216, "龙游"), (250, "衢州"), (280, "江山"),
                                    (318, "玉山"), (352, "上饶")],
}
CONV_PROXY_NOTE = ("km: 杭州–杭州南 official (杭甬线), beyond 杭州南 the official km posts of the "
                   "parallel Shanghai–Kunming HSR (沪昆高速线) as a proxy for the conventional line's, "
                   "which are not in the source")
#: conventional services on lines whose own official km posts are in data.h: (data.h pieces,
#: plausible range in min a hop). K/T/Z trains only, the median of them as T_slow (K trains
#: differ by speed class, not only by stops). 宣杭线: 宣城 0, 广德 63, 长兴南 114, 湖州 133 (passed:
#: its conventional platforms take no passengers), 德清西 172, 杭州 240; 宣城 and 杭州 have
#: station files (46 K/T trains between them in 2021-01), the stations between have none.
CONV_KM_ROUTES = {
    "conv_xuancheng_hangzhou_local": ([("宣杭线", "宣城", "杭州")], 10),
}
#: conventional (locomotive-hauled) train types in the station timetables: K, T, Z
CONV_TYPES = ("快速", "特快", "直达特快")
#: (service, seq) that take the run minutes of another service's hop on the same track
REUSE = {("hsr_hangzhou_taizhou_allstop", 2): ("hsr_hangzhou_ningbo_allstop", 2),
         ("hsr_hangzhou_taizhou_allstop", 3): ("hsr_hangzhou_ningbo_allstop", 3)}
#: services whose single hop is a fastest-train figure between two timetable stations
FASTEST = ("hsr_shanghai_hangzhou_fast", "hsr_nanjing_hangzhou_fast",
           "hsr_hangzhou_ningbo_nonstop")
HSR_TYPES = ("高速动车", "动车组", "城际")
#: non-stop services whose headway is counted from the timetable: the trains between the two
#: stations within 2 min of the fastest (the non-stop pattern)
HEADWAY_FAST = {"hsr_shanghai_hangzhou_fast": ("上海虹桥", "杭州东"),
                "hsr_nanjing_hangzhou_fast": ("南京南", "杭州东")}
# (Hangzhou East–Ningbo has a single non-stop train a day in the 2021 timetable: no headway)
#: services whose headway is counted from the trains of their kind in the 2021-01 station files
#: (see ``derive_headway_counts``): (from stations, to stations, train types or None = any,
#: kind, what is counted). Kinds: ``fast`` = no slower than the service's own end-to-end time
#: in the layers (or the fastest train, if slower) + 2 min; ``stopping`` = the on-route trains
#: more than 2 min slower than the fastest; ``faster_half``/``slower_half`` = the faster/slower
#: half of the on-route trains (two stopping patterns on a line whose intermediate stations
#: have no station file, so the trains are shared between them by run time); ``all`` = every
#: on-route train; ``train:NO`` = that train number. On-route: at most twice the fastest time
#: (slower trains run another way, e.g. Nanjing–Hangzhou via Shanghai).
HEADWAY_COUNTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None, str, str]] = {
    "hsr_hangzhou_ningbo_nonstop": (("杭州东",), ("宁波",), HSR_TYPES, "fast",
                                    "G/D/C trains no slower than the service + 2 min (its pattern)"),
    "hsr_nanjing_hangzhou_allstop": (("南京南",), ("杭州东",), HSR_TYPES, "stopping",
                                     "G/D/C trains via the Nanjing–Hangzhou HSR that are not within "
                                     "2 min of the fastest (those are hsr_nanjing_hangzhou_fast); "
                                     "not every one calls at every stop (no station files for "
                                     "宜兴/长兴/湖州/德清)"),
    "hsr_hefei_hangzhou_limited": (("宣城",), ("杭州东",), HSR_TYPES, "faster_half",
                                   "the faster half of the G/D/C trains 宣城–杭州东 (the stations "
                                   "between have no station file, so the trains are shared with "
                                   "hsr_hefei_hangzhou_allstop by run time)"),
    "hsr_hefei_hangzhou_allstop": (("宣城",), ("杭州东",), HSR_TYPES, "slower_half",
                                   "the slower half of the G/D/C trains 宣城–杭州东 (the stations "
                                   "between have no station file, so the trains are shared with "
                                   "hsr_hefei_hangzhou_limited by run time)"),
    "hsr_hangzhou_changsha_fast": (("杭州东",), ("衢州",), HSR_TYPES, "fast",
                                   "G/D/C trains no slower than the service + 2 min (its pattern)"),
    "hsr_hangzhou_huangshan_fast": (("杭州东",), ("黄山北",), HSR_TYPES, "fast",
                                    "G/D/C trains no slower than the service + 2 min (its pattern)"),
    "hsr_hangzhou_huangshan_g7482": (("杭州南",), ("黄山北",), HSR_TYPES, "train:G7482,G7481",
                                     "the train G7482 itself (and a return G7481, if any)"),
    "conv_shanghai_kunming_local": (("杭州", "杭州南"), ("衢州",), CONV_TYPES, "all",
                                    "K/T/Z trains calling at 衢州 and at 杭州 or 杭州南"),
    "conv_xuancheng_hangzhou_local": (("宣城",), ("杭州",), CONV_TYPES, "all",
                                      "K/T/Z trains calling at 宣城 and 杭州 (Xuancheng–Hangzhou "
                                      "railway; not every one calls at every stop)"),
    "conv_jiujiang_quzhou_local": (("九江",), ("衢州",), None, "all",
                                   "scheduled trains 九江–衢州 (Quzhou–Jiujiang railway)"),
    "conv_anhui_jiangxi_local": (("芜湖",), ("黄山",), None, "all",
                                 "scheduled trains 芜湖–黄山 (Anhui–Jiangxi railway; 黄山 station "
                                 "has no other train in the file)"),
}
#: departures at the first station of each direction in this window count as the peak
PEAK_WINDOW = (7 * 60, 9 * 60)
SERVICES = LAYERS / "services.csv"
#: metro-type services whose end-to-end times already include stops: dwell is cleared
NO_DWELL_PREFIXES = ("hzm_", "sxm_", "ic_")
MIN_TRAINS = 5
#: a train taking more than this per intermediate stop over the fastest is not on the route
MAX_STOP_COST = 8


def git_show(gitdir: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, "show", f"HEAD:{path}"],
                          capture_output=True, check=True).stdout


def _minutes(t: str) -> int | None:
    if not t or ":" not in t:
        return None
    h, m = t.split(":")
    return int(h) * 60 + int(m)


# ------------------------------------------------------------------------------------------
# sources
# ------------------------------------------------------------------------------------------


def load_timetable(gitdir: str, stations: set[str]) -> dict[str, dict[str, tuple]]:
    """train -> station -> (arrival, departure, type) in minutes of day."""
    trains: dict[str, dict[str, tuple]] = defaultdict(dict)
    for name in sorted(stations):
        try:
            raw = git_show(gitdir, f"scripts/schedulers/{name}.csv").decode("gbk")
        except subprocess.CalledProcessError:
            continue
        for row in csv.reader(io.StringIO(raw)):
            if len(row) < 7:
                continue
            typ, _kind, no, _o, _d, arr, dep = row[:7]
            trains[no][name] = (_minutes(arr), _minutes(dep), typ)
    return trains


def timetable_stations(gitdir: str) -> set[str]:
    out = subprocess.run(["git", "--git-dir", gitdir, "-c", "core.quotepath=off", "ls-tree",
                          "--name-only", "HEAD", "scripts/schedulers/"],
                         capture_output=True, check=True, text=True).stdout
    return {Path(p).stem for p in out.split() if p.endswith(".csv")}


def load_km_posts(gitdir: str) -> dict[str, list[tuple[int, str]]]:
    """data.h line name -> [(km, station)], stations given by 1-based index."""
    t = git_show(gitdir, "data.h").decode("gb18030")
    block = re.search(r"station STATION\[\] = \{(.*?)\};", t, re.S).group(1)
    names = [s[0] for s in re.findall(r'\{"([^"]+)","([^"]*)",(\d+),(\d+)\}', block)]
    arrays = {m.group(1): [(int(a), int(b)) for a, b in re.findall(r"\{(\d+),(\d+)\}", m.group(2))]
              for m in re.finditer(r"stationlist (line\d+)\[\] = \{(.*?)\};", t, re.S)}
    out = {}
    for name, arr in re.findall(r'\{"([^"]+)",\s*"[^"]*",\s*(line\d+),', t):
        out[name] = [(km, names[i - 1]) for km, i in arrays[arr]]
    for line, km, station, _src in EXTRA_KM_POSTS:
        if line in out and station not in {n for _, n in out[line]}:
            out[line] = sorted([*out[line], (km, station)])
    return out


def route_km(pieces: list[tuple[str, str, str]], km_lines: dict) -> list[tuple[float, str]]:
    """Chain data.h pieces into [(km from the route start, station)], junction points dropped."""
    out: list[tuple[float, str]] = []
    base = 0.0
    for line, a, b in pieces:
        posts = km_lines[line]
        names = [n for _, n in posts]
        i, j = names.index(a), names.index(b)
        seg = posts[i:j + 1] if i <= j else posts[j:i + 1][::-1]
        k0 = seg[0][0]
        for km, n in seg:
            if out and n == out[-1][1]:
                continue
            out.append((base + abs(km - k0), n))
        base = out[-1][0]
    return [(km, n) for km, n in out if not n.endswith("所")]  # 所 = junction, no passengers


def pair_times(trains: dict, a: str, b: str, types: tuple[str, ...] | None) -> list[tuple[int, str]]:
    """Departure at a (or b) to arrival at b (or a), both directions: [(minutes, train)]
    (:func:`direction_runs` of the two stations)."""
    return sorted((t, no) for _d, _dep, t, no in direction_runs(trains, (a,), (b,), types))


def pctl(values: list[int], q: float) -> int:
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def load_metro(gitdir: str) -> dict:
    s = git_show(gitdir, "miniprogram-2/data/details.js").decode("utf-8")
    s = s[s.index("{"):s.index("module.exports")]
    s = re.sub(r"^\s*//.*$", "", s, flags=re.M)
    s = s[:s.rindex("}") + 1]
    s = re.sub(r",(\s*[}\]])", r"\1", s)
    return json.loads(s)


# ------------------------------------------------------------------------------------------
# derivations
# ------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{round(x * 2) / 2:g}"


def derive_sections(service: str, stops: list[dict], zh: dict, route: list[tuple[float, str]],
                    trains: dict, tt: set[str], types: tuple[str, ...] | None,
                    cls_label: str, km_label: str = "official km posts",
                    km_src: str = KM_URL, typical: bool = False, min_trains: int = MIN_TRAINS,
                    plausible: int | None = None) -> dict[int, tuple[str, str, str]]:
    """seq -> (run_minutes, provenance, source) for the hops of a stopping service."""
    km = {n: k for k, n in route}
    order = [n for _, n in route]
    names = [ALIASES.get(zh[r["station_id"]], zh[r["station_id"]]) for r in stops]
    if any(n not in km for n in names):
        missing = [n for n in names if n not in km]
        print(f"  {service}: not on the km-post route: {missing}", file=sys.stderr)
        return {}
    pos = [order.index(n) for n in names]
    first, last = pos[0], pos[-1]
    stop_names = set(names)
    stop_dwell = {p: float(r["dwell_minutes"]) for p, r in zip(pos, stops, strict=True)
                  if r["dwell_minutes"] not in ("", None)}
    tt_idx = [i for i in range(len(order)) if order[i] in tt]
    out: dict[int, tuple[str, str, str]] = {}
    for k in range(1, len(stops)):
        x, y = pos[k - 1], pos[k]
        lo, hi = min(x, y), max(x, y)
        # widen to timetable stations with enough trains
        cands_a = [i for i in tt_idx if i <= lo][::-1]
        cands_b = [i for i in tt_idx if i >= hi]
        best = None
        for a in cands_a:
            for b in cands_b:
                pt = pair_times(trains, order[a], order[b], types)
                if len(pt) >= min_trains:
                    best = (a, b, pt)
                    break
            if best:
                break
        if not best:
            continue
        a, b, pt = best
        inside = range(min(first, last), max(first, last) + 1)
        between = [i for i in range(a + 1, b)
                   if (order[i] in stop_names) if i in inside] + \
                  [i for i in range(a + 1, b) if i not in inside]
        m = len(between)
        times = [t for t, _ in pt]
        t_fast, fast_train = pt[0]
        # the recorded dwell at the intermediate stops (the service's own, else its typical one)
        dwells = [stop_dwell[i] for i in between if i in stop_dwell] or list(stop_dwell.values())
        dwell = statistics.mean(dwells) if (m and dwells) else 0.0
        total_km = km[order[b]] - km[order[a]]
        hop_km = abs(km[order[y]] - km[order[x]])
        if m == 0:
            mode = Counter(times).most_common(1)[0][0]
            out[k] = (_fmt(mode), "timetable",
                      f"TIMETABLE {RV_VINTAGE}: {order[a]}–{order[b]} {mode} min, the most common "
                      f"time of {len(times)} {cls_label} trains (range {times[0]}–{times[-1]}, "
                      f"both directions) ; {RV_URL}")
            continue
        # trains slower than MAX_STOP_COST a stop run another way (the conventional line,
        # via Shanghai) or wait to be overtaken: left out
        # typical=True (conventional trains: K trains are slower than T/Z by speed class, not
        # only by stops): T_slow is the median of all the trains
        kept = times if typical else [t for t in times if t <= t_fast + m * MAX_STOP_COST]
        t_slow = pctl(kept, 0.5 if typical else 0.9)
        span = plausible or (5 if typical else 2)
        how = (f"median {t_slow} min of all {len(kept)} {cls_label} trains" if typical else
               f"90th percentile {t_slow} min of {len(kept)} {cls_label} trains (of "
               f"{len(times)}; slower than {MAX_STOP_COST} min a stop left out)")
        loss = max(0.0, (t_slow - t_fast) / m - dwell)
        ends = sum(1 for i in (x, y) if i in between)
        run = t_fast * hop_km / total_km + loss / 2 * ends
        out[k] = (_fmt(run), "derived",
                  f"DERIVED from the {RV_VINTAGE} timetable and {km_label}: "
                  f"{order[a]}–{order[b]} {total_km:g} km, fastest {t_fast} min ({fast_train}), "
                  f"{how}, {m} intermediate stop(s); this hop {hop_km:g} km = "
                  f"{t_fast}×{hop_km:g}/{total_km:g}"
                  f" + stop loss {loss:.1f}/2 × {ends} (loss = ({t_slow}−{t_fast})/{m} − dwell "
                  f"{dwell:g}); plausible range ±{span} min ; {RV_URL} ; {km_src}")
    return out


def derive_official_split(stops: list[dict], zh: dict, route: list[tuple[float, str]],
                          spec: dict, km_src: str) -> dict[int, tuple[str, str, str]]:
    """hop -> (run_minutes, "derived", source): an official end-to-end time split by official km.

    The published minutes between the route's two ends, less the dwells recorded at the
    service's intermediate stops, are shared by the hops in proportion to their km; only the
    hops arriving at the seqs of ``spec["seqs"]`` are returned.
    """
    km = {n: k for k, n in route}
    names = [ALIASES.get(zh[r["station_id"]], zh[r["station_id"]]) for r in stops]
    missing = [n for n in names if n not in km]
    if missing or names[0] != route[0][1] or names[-1] != route[-1][1]:
        print(f"  official split: stops not on the km-post route or ends differ: {missing}",
              file=sys.stderr)
        return {}
    total = abs(km[names[-1]] - km[names[0]])
    dwells = [float(r["dwell_minutes"]) for r in stops[1:-1] if r["dwell_minutes"] not in ("", None)]
    rate = (spec["minutes"] - sum(dwells)) / total
    out: dict[int, tuple[str, str, str]] = {}
    for k in range(1, len(stops)):
        if int(stops[k]["seq"]) not in spec["seqs"]:
            continue
        hop = abs(km[names[k]] - km[names[k - 1]])
        out[k] = (_fmt(rate * hop), "derived",
                  f"DERIVED {spec['vintage']} (an official end-to-end time split by official km): "
                  f"{names[0]}–{names[-1]} {spec['minutes']} min over {total:g} km, less the "
                  f"recorded dwells {sum(dwells):g} min at {len(dwells)} intermediate stops = "
                  f"{rate:.3f} min/km (stops not in the service, e.g. Qianqing, included); this hop "
                  f"{names[k - 1]}–{names[k]} {hop:g} km = {rate * hop:.1f} min; plausible range "
                  f"±{spec['plausible']} min ; time: {spec['source']} ; km: {km_src}")
    return out


def derive_fastest(stops: list[dict], zh: dict, trains: dict) -> dict[int, tuple[str, str, str]]:
    a, b = (ALIASES.get(zh[r["station_id"]], zh[r["station_id"]]) for r in (stops[0], stops[-1]))
    pt = pair_times(trains, a, b, HSR_TYPES)
    if len(stops) != 2 or not pt:
        return {}
    t, no = pt[0]
    return {1: (_fmt(t), "timetable",
                f"TIMETABLE {RV_VINTAGE}: fastest of {len(pt)} trains {a}–{b}: {no} {t} min "
                f"(both directions) ; {RV_URL}")}


def _metro_dirs(metro: dict, name: str, line: str) -> dict | None:
    e = metro.get(name)
    for ln in (e or {}).get("lines", []):
        if ln["line_number"] == line:
            return {d["direction"]: (_metro_min(d["first_train"]), _metro_min(d["last_train"]))
                    for d in ln["directions"]}
    return None


def _metro_hop(metro: dict, line: str, a: str, b: str) -> tuple[float | None, str]:
    """Minutes a->b from last-train (else first-train) departure differences, both directions."""
    da, db = _metro_dirs(metro, a, line), _metro_dirs(metro, b, line)
    if da is None or db is None:
        return None, ""
    lasts: list[int] = []
    firsts: list[int] = []
    for k in set(da) & set(db):
        for i, bucket in ((1, lasts), (0, firsts)):
            if da[k][i] is not None and db[k][i] is not None:
                d = db[k][i] - da[k][i]
                if 0 < abs(d) <= 10:
                    bucket.append(abs(d))
    vals = lasts or firsts
    if not vals:
        return None, ""
    how = ("last" if lasts else "first") + "-train differences " + "/".join(map(str, sorted(vals)))
    return statistics.mean(vals), how


def derive_metro(service: str, stops: list[dict], zh: dict, metro: dict, line: str,
                 pos: dict) -> dict[int, tuple[str, str, str]]:
    def hop(a: str, b: str) -> tuple[float | None, str]:
        return _metro_hop(metro, line, a, b)

    out: dict[int, tuple[str, str, str]] = {}
    names = [zh[r["station_id"]] for r in stops]
    vals = [hop(names[k - 1], names[k]) for k in range(1, len(stops))]
    k = 1
    while k < len(stops):
        v, how = vals[k - 1]
        if v is not None:
            out[k] = (_fmt(v), "derived",
                      f"DERIVED {METRO_VINTAGE}: {names[k - 1]}–{names[k]} {how} min "
                      f"(departure to departure, stop included) ; {METRO_URL}")
            k += 1
            continue
        # a station missing in the source: time the span between known neighbours, split by
        # straight-line distance (the split is an estimate)
        j = k  # hops k .. j-1 are unknown: stops k-1 .. j-1
        while j < len(stops) and vals[j - 1][0] is None:
            j += 1
        span, how = hop(names[k - 1], names[j - 1]) if j - 1 > k - 1 else (None, "")
        if span is None:
            k = j
            continue
        ids = [r["station_id"] for r in stops[k - 1:j]]
        d = [_km(pos[p], pos[q]) for p, q in itertools.pairwise(ids)]
        for i, dk in enumerate(d):
            out[k + i] = (_fmt(span * dk / sum(d)), "estimate",
                          f"ESTIMATE {METRO_VINTAGE}: {names[k - 1]}–{names[j - 1]} {how} min (a "
                          f"station between is missing in the source) split by straight-line "
                          f"distance ({dk:.1f} of {sum(d):.1f} km); range ±1 min ; {METRO_URL}")
        k = j
    return out


def _metro_min(t: str) -> int | None:
    v = _minutes(t)
    return None if v is None else (v + 1440 if v < 180 else v)


def _km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


METRO_LINES = {"hzm_line16_allstop": "16号线", "hzm_line6_fuyang_allstop": "6号线",
               "hzm_line19_allstop": "19号线", "hzm_line5_south_stub_allstop": "5号线",
               "hzm_line3_shima_allstop": "3号线", "hzm_line6_shuangpu_allstop": "6号线"}


def _metro_line(service: str) -> str | None:
    if service in METRO_LINES:
        return METRO_LINES[service]
    m = re.match(r"hzm_line(\d+)_allstop$", service)
    return f"{m.group(1)}号线" if m else None


# ------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------


def read_stops() -> list[dict]:
    with open(STOPS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r.setdefault("provenance", "")
        r.setdefault("vintage", "")
        if r["provenance"] is None:
            r["provenance"] = ""
        if r["vintage"] is None:
            r["vintage"] = ""
    return rows


def write_stops(rows: list[dict]) -> None:
    with open(STOPS, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})


def apply(rows: list[dict], seq_index: int, run: str, prov: str, source: str,
          vintage: str) -> None:
    r = rows[seq_index]
    r["run_minutes"], r["provenance"], r["source"], r["vintage"] = run, prov, source, vintage
    r["estimate"] = "1" if prov == "estimate" else "0"


def derive_headways(trains: dict) -> dict[str, tuple[str, str]]:
    """service -> (headway_minutes, headway_basis) for the non-stop services of HEADWAY_FAST."""
    out = {}
    for sid, (a, b) in HEADWAY_FAST.items():
        pt = pair_times(trains, a, b, HSR_TYPES)
        if not pt:
            continue
        fastest = pt[0][0]
        fast = [no for t, no in pt if t <= fastest + 2]
        per_direction = len(fast) / 2
        hw = round(16 * 60 / per_direction)
        out[sid] = (str(hw), f"TIMETABLE {RV_VINTAGE} (derived): {len(fast)} trains a day "
                    f"{a}–{b} (both directions) within 2 min of the fastest ({fastest} min) in the "
                    f"station timetables, ~{per_direction:g} per direction over ~16 operating hours "
                    f"-> ~{hw} min average (not a peak figure) ; {RV_URL}")
    return out


def direction_runs(trains: dict, a: tuple[str, ...], b: tuple[str, ...],
                   types: tuple[str, ...] | None) -> list[tuple[int, int, int, str]]:
    """Trains calling at one of ``a`` and one of ``b``: [(direction, departure, minutes, train)].

    Direction 0 is a -> b, 1 is b -> a; departure is in minutes of the day at the first of the
    two stations the train meets; a train is counted once per direction (its first a/b pair).
    """
    seen: set[tuple[int, str]] = set()
    out = []
    for x, y in itertools.product(a, b):
        for no, calls in sorted(trains.items()):
            if x not in calls or y not in calls:
                continue
            typ = calls[x][2]
            if types is not None and not any(typ.startswith(k) for k in types):
                continue
            for d, (p, q) in enumerate(((x, y), (y, x))):
                dep, arr = calls[p][1], calls[q][0]
                if dep is None or arr is None or (d, no) in seen:
                    continue
                t = (arr - dep) % 1440
                other = (calls[p][0] or calls[p][1]) - (calls[q][0] or calls[q][1])
                if t <= 600 and (other % 1440 > 720 or other == 0):
                    seen.add((d, no))
                    out.append((d, dep, t, no))
    return sorted(out, key=lambda r: (r[2], r[1], r[3], r[0]))


def select_kind(runs: list[tuple[int, int, int, str]], kind: str,
                model_minutes: float = 0.0) -> list[tuple[int, int, int, str]]:
    """The runs of a service's kind (see ``HEADWAY_COUNTS``); ``runs`` sorted by minutes.

    ``model_minutes`` is the service's end-to-end time in the layers (``fast`` only).
    """
    if not runs:
        return []
    if kind.startswith("train:"):
        return [r for r in runs if r[3] in kind[6:].split(",")]
    fastest = runs[0][2]
    on_route = [r for r in runs if r[2] <= 2 * fastest]
    fast = [r for r in on_route if r[2] <= max(fastest, model_minutes) + 2]
    half = len(on_route) // 2
    return {"fast": fast, "stopping": [r for r in on_route if r[2] > fastest + 2],
            "faster_half": on_route[:half], "slower_half": on_route[half:],
            "all": on_route}[kind]


def _hhmm(m: int) -> str:
    return f"{m // 60 % 24:02d}:{m % 60:02d}"


def headway_from_runs(runs: list[tuple[int, int, int, str]],
                      line: list[tuple[int, int, int, str]]) -> tuple[int, str] | None:
    """(headway minutes, how) from the trains of one service (``runs``), both directions.

    Peak: when each direction has at least 2 departures in ``PEAK_WINDOW``, headway = 60 / the
    trains per peak hour (mean of the two directions). Otherwise the day: the operating day of
    the line in each direction (first to last departure of all its on-route trains, ``line``;
    1440 min when it has fewer than 2) summed over both directions, / the service's trains.
    """
    if not runs:
        return None
    lo, hi = PEAK_WINDOW
    n = [sum(1 for r in runs if r[0] == d) for d in (0, 1)]
    peak = [sum(1 for r in runs if r[0] == d and lo <= r[1] < hi) for d in (0, 1)]
    hours = (hi - lo) / 60
    counts = f"{n[0]} and {n[1]} trains a day in the two directions ({peak[0]} and {peak[1]} " \
             f"departing {_hhmm(lo)}–{_hhmm(hi)})"
    if min(peak) >= 2:
        per_hour = sum(peak) / 2 / hours
        return round(60 / per_hour), f"{counts}; peak: 60 / {per_hour:g} trains an hour per direction"
    spans = []
    for d in (0, 1):
        deps = sorted(r[1] for r in line if r[0] == d)
        if len(deps) >= 2:
            spans.append((deps[-1] - deps[0], f"{_hhmm(deps[0])}–{_hhmm(deps[-1])}"))
        else:
            spans.append((1440, "the whole day (fewer than 2 trains)"))
    hw = sum(s for s, _ in spans) / sum(n)
    return round(hw), (f"{counts}; too few at the peak, so the day: the line's operating day "
                       f"(first to last on-route departure) {spans[0][1]} and {spans[1][1]}, "
                       f"{spans[0][0] + spans[1][0]} min over both directions / {sum(n)} trains")


def model_minutes(rows: list[dict], by_service: dict) -> dict[str, float]:
    """service -> end-to-end minutes in the layers (runs plus the dwells between)."""
    out = {}
    for sid, idx in by_service.items():
        stops = [rows[i] for i in idx]
        run = sum(float(r["run_minutes"] or 0) for r in stops[1:])
        dwell = sum(float(r["dwell_minutes"] or 0) for r in stops[1:-1])
        out[sid] = run + dwell
    return out


def headway_count_stations() -> set[str]:
    """The stations whose files the counts of ``HEADWAY_COUNTS`` read."""
    return {n for a, b, _t, _k, _w in HEADWAY_COUNTS.values() for n in (*a, *b)}


def derive_headway_counts(trains: dict, minutes: dict[str, float] | None = None
                          ) -> dict[str, tuple[str, str]]:
    """service -> (headway_minutes, headway_basis) for the services of ``HEADWAY_COUNTS``.

    ``minutes``: each service's end-to-end minutes in the layers (:func:`model_minutes`).
    """
    out = {}
    for sid, (a, b, types, kind, what) in HEADWAY_COUNTS.items():
        mm = (minutes or {}).get(sid, 0.0)
        every = direction_runs(trains, a, b, types)
        line = select_kind(every, "all")
        runs = select_kind(every, kind, mm)
        if kind == "fast" and runs:
            what = f"{what}: at most {max(runs[0][2], mm) + 2:g} min (the service {mm:g} min)"
        res = headway_from_runs(runs, line)
        if res is None:
            print(f"  {sid}: no train of its kind in the station files", file=sys.stderr)
            continue
        hw, how = res
        ends = f"{'/'.join(a)}–{'/'.join(b)}"
        out[sid] = (str(hw), f"DERIVED {RV_VINTAGE} (train counts in the station timetables): "
                    f"{what}; {ends}: {how} -> {hw} min ; {RV_URL}")
    return out


def write_headways(values: dict[str, tuple[str, str]]) -> None:
    with open(SERVICES, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = list(rows[0].keys())
    for r in rows:
        if r["id"] in values:
            r["headway_minutes"], r["headway_basis"] = values[r["id"]]
    with open(SERVICES, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--railwayvis", help="git dir of thaddywu/RailwayVIS")
    ap.add_argument("--mileage", help="git dir of KZ25T/ChinaRail_Mileage_Calculation")
    ap.add_argument("--metro", help="git dir of Aqingss/Hangzhou-Metro-Navigation-Mini-Program")
    args = ap.parse_args(argv)

    rows = read_stops()
    with open(LAYERS / "src" / "stations.csv", encoding="utf-8", newline="") as f:
        st = list(csv.DictReader(f))
    zh = {r["id"]: r["name_zh"] for r in st}
    from_crs = {}
    sys.path.insert(0, str(LAYERS.parent))
    from network.coords import to_wgs84
    for r in st:
        from_crs[r["id"]] = to_wgs84(float(r["lon"]), float(r["lat"]), r["crs"])
    by_service: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_service[r["service_id"]].append(i)
    for idx in by_service.values():
        idx.sort(key=lambda i: int(rows[i]["seq"]))

    # defaults: keep what is set, else from the estimate flag
    for r in rows:
        if r["provenance"] not in PROVENANCES:
            r["provenance"] = "estimate" if r["estimate"] == "1" else "official"
        if r["seq"] == "1":
            r["provenance"], r["estimate"] = "official", "0"  # no run to classify
        r["estimate"] = "1" if r["provenance"] == "estimate" else "0"

    # the dwell double count: metro-type stop times are already in the run minutes
    for sid, idx in by_service.items():
        if sid.startswith(NO_DWELL_PREFIXES):
            for i in idx:
                rows[i]["dwell_minutes"] = ""

    counts: Counter = Counter()
    if args.metro:
        _run_metro(args.metro, rows, by_service, zh, from_crs, counts)
    if args.railwayvis and args.mileage:
        _run_rail(args.railwayvis, args.mileage, rows, by_service, zh, counts)
    if args.mileage:
        _run_official_splits(args.mileage, rows, by_service, zh, counts)
    write_stops(rows)
    print("updated:", dict(counts), file=sys.stderr)
    return 0


def _run_metro(gitdir: str, rows: list[dict], by_service: dict, zh: dict, from_crs: dict,
               counts: Counter) -> None:
    if gitdir:
        metro = load_metro(gitdir)
        for sid, idx in by_service.items():
            line = _metro_line(sid)
            if not line:
                continue
            stops = [rows[i] for i in idx]
            for k, (run, prov, src) in derive_metro(sid, stops, zh, metro, line, from_crs).items():
                apply(rows, idx[k], run, prov, src, METRO_VINTAGE)
                counts[f"metro {prov}"] += 1



def _derive_service(rows: list[dict], by_service: dict, counts: Counter, sid: str, zh: dict,
                    route: list[tuple[float, str]], trains: dict, tt: set[str], *args: Any,
                    **kw: Any) -> None:
    """Derive the hops of service ``sid`` (:func:`derive_sections` with ``args``/``kw``) and
    write them into ``rows``; nothing if the service has no rows."""
    idx = by_service.get(sid)
    if not idx:
        return
    res = derive_sections(sid, [rows[i] for i in idx], zh, route, trains, tt, *args, **kw)
    for k, (run, prov, src) in res.items():
        apply(rows, idx[k], run, prov, src, RV_VINTAGE)
        counts[f"rail {prov}"] += 1


def _run_conv_proxy(rows: list[dict], by_service: dict, zh: dict, trains: dict, tt: set[str],
                    counts: Counter) -> None:
    """Conventional services of ``CONV_PROXY_ROUTES``: K/T/Z trains, the median as T_slow."""
    for sid, route in CONV_PROXY_ROUTES.items():
        _derive_service(rows, by_service, counts, sid, zh, route, trains, tt, CONV_TYPES, "K/T/Z",
                        CONV_PROXY_NOTE, f"{KM_URL} ({CONV_PROXY_NOTE})", typical=True)


def _run_conv_sparse(rows: list[dict], by_service: dict, zh: dict, km_lines: dict,
                     trains: dict, tt: set[str], counts: Counter) -> None:
    """Conventional services of ``CONV_SPARSE_ROUTES``: few trains, all kinds, wider range."""
    for sid, (pieces, min_trains, plausible) in CONV_SPARSE_ROUTES.items():
        lines = {ln for ln, _a, _b in pieces}
        extra = " ; ".join(src for ln, _k, _s, src in EXTRA_KM_POSTS if ln in lines)
        _derive_service(rows, by_service, counts, sid, zh, route_km(pieces, km_lines), trains, tt,
                        None, f"scheduled (only {min_trains}+ in the source)",
                        km_src=f"{KM_URL} ; {extra}" if extra else KM_URL,
                        min_trains=min_trains, plausible=plausible)


def _run_conv_km(rows: list[dict], by_service: dict, zh: dict, km_lines: dict, trains: dict,
                 tt: set[str], counts: Counter) -> None:
    """Conventional services of ``CONV_KM_ROUTES``: K/T/Z trains, the median as T_slow, the
    line's own official km."""
    for sid, (pieces, plausible) in CONV_KM_ROUTES.items():
        _derive_service(rows, by_service, counts, sid, zh, route_km(pieces, km_lines), trains, tt,
                        CONV_TYPES, "K/T/Z", typical=True, plausible=plausible)


def _run_official_splits(mileage: str, rows: list[dict], by_service: dict, zh: dict,
                         counts: Counter) -> None:
    """Services of ``OFFICIAL_SPLITS``: an official end-to-end time split by official km."""
    km_lines = load_km_posts(mileage)
    for sid, spec in OFFICIAL_SPLITS.items():
        idx = by_service.get(sid)
        if not idx:
            continue
        lines = {ln for ln, _a, _b in spec["pieces"]}
        extra = " ; ".join(src for ln, _k, _s, src in EXTRA_KM_POSTS if ln in lines)
        res = derive_official_split([rows[i] for i in idx], zh, route_km(spec["pieces"], km_lines),
                                    spec, f"{KM_URL} ; {extra}" if extra else KM_URL)
        for k, (run, prov, src) in res.items():
            apply(rows, idx[k], run, prov, src, spec["vintage"])
            counts[f"official split {prov}"] += 1


def _run_rail(rv: str, mileage: str, rows: list[dict], by_service: dict, zh: dict,
              counts: Counter) -> None:
    if rv:
        km_lines = load_km_posts(mileage)
        tt = timetable_stations(rv)
        wanted = set()
        sparse = [pieces for pieces, _n, _r in CONV_SPARSE_ROUTES.values()]
        conv_km = [pieces for pieces, _r in CONV_KM_ROUTES.values()]
        for pieces in (*HSR_ROUTES.values(), *CONV_ROUTES.values(), *sparse, *conv_km):
            wanted |= {n for _, n in route_km(pieces, km_lines)}
        wanted |= {"上海虹桥", "杭州东", "南京南", "宁波"}
        wanted |= headway_count_stations()
        for route in CONV_PROXY_ROUTES.values():
            wanted |= {n for _, n in route}
        trains = load_timetable(rv, wanted & tt)
        print(f"timetable: {len(trains)} trains at {len(wanted & tt)} stations", file=sys.stderr)
        for routes, types, label in ((HSR_ROUTES, HSR_TYPES, "G/D/C"),
                                     (CONV_ROUTES, None, "")):
            for sid, pieces in routes.items():
                _derive_service(rows, by_service, counts, sid, zh, route_km(pieces, km_lines),
                                trains, wanted & tt, types, label or "scheduled")
        _run_conv_proxy(rows, by_service, zh, trains, wanted & tt, counts)
        _run_conv_sparse(rows, by_service, zh, km_lines, trains, wanted & tt, counts)
        _run_conv_km(rows, by_service, zh, km_lines, trains, wanted & tt, counts)
        for sid in FASTEST:
            idx = by_service.get(sid)
            if not idx:
                continue
            for k, (run, prov, src) in derive_fastest([rows[i] for i in idx], zh, trains).items():
                apply(rows, idx[k], run, prov, src, RV_VINTAGE)
                counts[f"rail {prov}"] += 1

        write_headways(derive_headways(trains))
        counts["headways"] += len(HEADWAY_FAST)
        counted = derive_headway_counts(trains, model_minutes(rows, by_service))
        write_headways(counted)
        counts["headways counted"] += len(counted)

        # the same track and pattern as another service's derived hops
        for (sid, seq), (src_sid, src_seq) in REUSE.items():
            if sid in by_service and src_sid in by_service:
                src = rows[by_service[src_sid][src_seq - 1]]
                dst = by_service[sid][seq - 1]
                if src["provenance"] in ("timetable", "derived"):
                    apply(rows, dst, src["run_minutes"], src["provenance"],
                          f"as {src_sid} seq {src_seq} (same track, all-stop): {src['source']}",
                          src["vintage"])
                    counts["rail reused"] += 1



if __name__ == "__main__":
    sys.exit(main())
