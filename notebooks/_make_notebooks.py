"""Write the notebooks (outputs stripped) from the cell sources below.

    python notebooks/_make_notebooks.py

The notebooks only call the package; CI executes them top to bottom (tests/test_notebooks.py).
Edit the cells here, regenerate, and commit both.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

NOTEBOOKS = {
    "01_quick_start.ipynb": [
        ("md", "# Quick start\n\nLoad the layers, look at the network, ask three door-to-door "
               "questions leg by leg, and build a county OD matrix."),
        ("code", "import network\nfrom network import Network, load_layers, maps\n\n"
                 "layers = load_layers()\n"
                 "{name: len(getattr(layers, name)) for name in ('stations', 'services', "
                 "'expressways', 'zones')}"),
        ("code", "maps.network_map(layers, year=2025, tiles='osm')"),
        ("md", "## Three queries"),
        ("code", "import pandas as pd\n\nnet = Network(layers, year=2025, modes='rail')\n"
                 "for a, b in [('Hangzhou East', 'Shaoxing North'), ('Hangzhou', 'Huzhou'), "
                 "('Keqiao', 'Tonglu')]:\n"
                 "    j = net.travel_time(a, b)\n"
                 "    print(f'{j.origin} -> {j.destination}: {j.minutes:.0f} min door to door, "
                 "{j.in_vehicle_minutes:.0f} in vehicle')\n"
                 "    display(pd.DataFrame([leg.as_dict() for leg in j.legs])[['kind', 'mode', "
                 "'from_name', 'to_name', 'minutes', 'service_name']])"),
        ("md", "## County OD matrix (rail, 2025) as a heat map"),
        ("code", "import matplotlib.pyplot as plt\n\nod = net.matrix(level='county')\n"
                 "wide = od.pivot(index='origin', columns='destination', values='minutes')\n"
                 "fig, ax = plt.subplots(figsize=(9, 8))\n"
                 "im = ax.imshow(wide.to_numpy(), cmap='viridis_r')\n"
                 "ax.set_xticks(range(len(wide.columns)), wide.columns, rotation=90, fontsize=6)\n"
                 "ax.set_yticks(range(len(wide.index)), wide.index, fontsize=6)\n"
                 "fig.colorbar(im, label='minutes door to door (rail)')\nwide.iloc[:5, :5]"),
    ],
    "02_commute_circle.ipynb": [
        ("md", "# The one-hour commute circle\n\nThe plan promises a one-hour commute circle "
               "(一小时通勤圈) by 2025. The scorecard checks it door to door by rail from the "
               "Hangzhou core (Wulin Square), year by year."),
        ("code", "import pandas as pd\nfrom network import Network, load_layers, maps\n"
                 "from network.scorecard import scorecard\n\nlayers = load_layers()\n"
                 "cards = {y: scorecard(Network(layers, year=y, modes='rail')) "
                 "for y in range(2019, 2027)}\n"
                 "trend = pd.DataFrame({'year': list(cards), 'population within the hour (M)': "
                 "[c.population_within_hour / 1e6 for c in cards.values()], "
                 "'counties within': [sum(z.within_hour for z in c.zones if z.kind == 'county') "
                 "for c in cards.values()]})\ntrend"),
        ("code", "ax = trend.plot(x='year', y='population within the hour (M)', marker='o', "
                 "legend=False)\nax.set_ylabel('residents within 60 min of Wulin Square (M)');"),
        ("code", "pd.DataFrame([vars(c) for c in cards[2025].cities])"),
        ("md", "## Isochrones from the core, 2025"),
        ("code", "from network.surface import travel_time_surface\n\n"
                 "net = Network(layers, year=2025, modes='rail')\n"
                 "surface = travel_time_surface(net, 'Hangzhou')\n"
                 "iso = surface.isochrones([30, 45, 60, 90])\n"
                 "iso[['minutes', 'area_km2', 'population']]"),
        ("code", "maps.isochrone_map(iso, layers=layers, origin=net.resolve('Hangzhou'), "
                 "tiles='osm')"),
        ("code", "maps.commute_map([cards[2020], cards[2025]], layers=layers, tiles='osm')"),
    ],
    "03_what_if.ipynb": [
        ("md", "# What if?\n\nWrite a scenario in YAML, compare it with the baseline, and map "
               "the gains. Here: the Nantong–Suzhou–Jiaxing–Ningbo HSR (stations at town points, "
               "speed calibrated to the published Jiaxing–Ningbo 35 minutes)."),
        ("code", "from network import load_layers\n"
                 "from network.scenarios import compare, format_comparison, parse_scenario\n\n"
                 "layers = load_layers()\n"
                 "text = '''\nname: Nantong-Ningbo HSR (notebook copy)\nsource: "
                 "https://ijiandao.com/2b/baijia/446590.html\nmodifications:\n"
                 "  - type: add_line\n    id: nb_hsr\n    name: Nantong-Ningbo HSR\n"
                 "    class: hsr\n    headway_minutes: 30\n    speed_kmh: 240\n"
                 "    stops:\n      - {name: Jiashan North, lon: 120.92583, lat: 30.84918}\n"
                 "      - jiaxing_south\n      - {name: Haiyan, lon: 120.94165, lat: 30.52807}\n"
                 "      - {name: Cixi, lon: 121.2457, lat: 30.1764, external: true}\n"
                 "      - zhuangqiao\n      - ningbo\n'''\n"
                 "scenario = parse_scenario(text, layers)\n"
                 "result = compare(layers, scenario, year=2025, modes='rail')\n"
                 "print(format_comparison(result))"),
        ("code", "result.od_gains.head(10)"),
        ("code", "from network import maps\n\nmaps.comparison_map(result, tiles='osm')"),
    ],
    "04_osm_roads.ipynb": [
        ("md", "# Bringing your own OSM roads\n\nImport an OSM XML extract (here the small "
               "hand-written test extract) and compare car times on the sketch road model "
               "with those on the OSM graph."),
        ("code", "from pathlib import Path\n\nfrom network import Network, load_layers, osm\n\n"
                 "root = Path.cwd().parent if Path.cwd().name == 'notebooks' else Path.cwd()\n"
                 "roads = osm.import_osm(root / 'tests/data/osm/small.osm')\n"
                 "layers = load_layers(root / 'tests/data/tiny')\n"
                 "roads.number_of_nodes(), roads.number_of_edges()"),
        ("code", "sketch = Network(layers, year=2015, modes='road')\n"
                 "with_osm = Network(layers, year=2015, modes='road', roads=roads)\n"
                 "for net in (sketch, with_osm):\n"
                 "    j = net.travel_time('One', 'Two')\n"
                 "    print(f\"{'OSM' if net.snaps else 'sketch'}: {j.minutes:.1f} min: \" + "
                 "', '.join(f'{l.kind} {l.mode} {l.minutes:.1f}' for l in j.legs))\n"
                 "with_osm.snaps"),
        ("code", "import osmnx as ox\n\nfig, ax = ox.plot_graph(roads, node_size=20, "
                 "show=False, close=False)"),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                                 for kind, src in cells])
        for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes nothing
            cell.id = f"{Path(name).stem[:2]}-cell-{i:02d}"
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, HERE / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main()
