"""Safe HTML for folium maps: context escaping, our own Leaflet elements, stable rendering.

Every string that comes from the layers, a scenario or the user reaches the page through
:func:`text` (for folium tooltips, popups, layer names and GeoJSON display properties) or
through JSON read by our own scripts, which write it with ``textContent`` (labels, switchers).

:func:`text` HTML-escapes (``& < > " '``) and also writes the characters that are special
inside JavaScript strings and template literals (backslash, backtick, ``$``, newlines) as HTML
character references. The result is therefore inert in HTML text, in a quoted attribute, in a
JavaScript string and in the template literals folium wraps tooltips and popups in, and it
still displays the original characters once the browser parses it as HTML.

:func:`render_html` inlines the Leaflet/folium JavaScript and CSS from the ``folium-offline``
package unless ``cdn=True`` and replaces folium's random element ids by sequential ones, so
identical inputs give byte-identical files.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import threading
from collections.abc import Iterator
from typing import Any

from network._errors import InputError

_JS_SPECIAL = {"\\": "&#92;", "`": "&#96;", "$": "&#36;", "\n": "&#10;", "\r": "&#13;",
               "\u2028": "&#8232;", "\u2029": "&#8233;"}
_JS_SPECIAL_RE = re.compile("[\\\\`$\n\r\u2028\u2029]")


def text(value: Any) -> str:
    """``value`` as text safe in HTML text and attributes and in JavaScript strings/templates.

    Parameters
    ----------
    value
        Any value; ``None`` gives an empty string.

    Returns
    -------
    str
        The escaped text (HTML character references only; no backslash escapes).
    """
    if value is None:
        return ""
    s = html.escape(str(value), quote=True)
    return _JS_SPECIAL_RE.sub(lambda m: _JS_SPECIAL[m.group()], s)


def folium() -> Any:
    """The folium module (an optional import with a helpful error)."""
    try:
        import folium as _f
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise ImportError("maps need folium: pip install folium") from exc
    return _f


def macro(template: str, **attrs: Any) -> Any:
    """A folium MacroElement rendering ``template`` (a Jinja ``script`` macro body).

    ``attrs`` become attributes of ``this`` in the template; data must be written with
    ``|tojson`` (folium's escaped JSON: ``<``, ``>``, ``&`` and ``'`` as unicode escapes).
    """
    f = folium()
    from folium.template import Template

    el = f.MacroElement()
    el._name = "HzElement"
    el._template = Template("{% macro script(this, kwargs) %}" + template + "{% endmacro %}")
    for k, v in attrs.items():
        setattr(el, k, v)
    return el


# ------------------------------------------------------------------------------------------
# our own elements: labels, an exclusive layer switcher, a north arrow
# ------------------------------------------------------------------------------------------

_LABELS_JS = """
(function() {
  var group = {{ this._parent.get_name() }};
  {{ this.data|tojson }}.forEach(function(d) {
    var el = document.createElement('div');
    el.className = 'hz-label hz-label-' + d.kind;
    var zh = document.createElement('span');
    zh.className = 'hz-zh';
    zh.textContent = d.zh;
    var en = document.createElement('span');
    en.className = 'hz-en';
    en.textContent = d.en;
    el.appendChild(zh);
    el.appendChild(document.createElement('br'));
    el.appendChild(en);
    L.marker([d.lat, d.lon], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'hz-label-icon', html: el, iconSize: null})}).addTo(group);
  });
})();
"""

LABEL_CSS = """<style>
.hz-label-icon {background: none; border: none;}
.hz-label {transform: translate(-50%, -50%); text-align: center; white-space: nowrap;
  font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
  color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; pointer-events: none;
  line-height: 1.1;}
.hz-label-county {font-size: 10px; color: #444;}
.hz-label-city {font-size: 14px; font-weight: bold; color: #000;}
.hz-label .hz-en {font-size: 0.85em;}
.leaflet-container {background: #f4f3ee;}
.leaflet-popup-content {min-width: 260px; max-width: 380px;}
.leaflet-popup-content table {width: 100%;}
.leaflet-popup-content td, .leaflet-popup-content th {white-space: normal; vertical-align: top;
  overflow-wrap: break-word; word-break: normal; min-width: 5em;}
.leaflet-tooltip {white-space: normal; max-width: 340px;}
.hz-switcher {background: rgba(255,255,255,0.95); padding: 6px 10px; border-radius: 4px;
  font: 13px/1.4 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); min-width: 180px;}
.hz-switcher select {max-width: 330px;}
.hz-switcher .hz-range {display: flex; align-items: center; gap: 2px;}
.hz-switcher input[type=range] {flex: 1; min-width: 120px;}
.hz-switcher button {margin: 0 2px;}
</style>"""


def labels(group: Any, rows: list[dict]) -> Any:
    """Add text labels (``zh``, ``en``, ``lat``, ``lon``, ``kind``) to a folium group.

    The names travel as JSON and are set with ``textContent``: never parsed as HTML.
    """
    el = macro(_LABELS_JS, data=[{"zh": str(r.get("zh") or ""), "en": str(r.get("en") or ""),
                                  "lat": round(float(r["lat"]), 5),
                                  "lon": round(float(r["lon"]), 5),
                                  "kind": "city" if r.get("kind") == "city" else "county"}
                                 for r in rows])
    group.add_child(el)
    return el


_SWITCHER_JS = """
(function() {
  var map = {{ this._parent.get_name() }};
  var dims = {{ this.dims|tojson }};
  var layers = {
  {%- for key, layer in this.layers.items() %}
    {{ key|tojson }}: {{ layer.get_name() }},
  {%- endfor %}
  };
  var state = {{ this.start|tojson }};
  var control = L.control({position: {{ this.position|tojson }}});
  control.onAdd = function() {
    var div = L.DomUtil.create('div', 'hz-switcher');
    div.id = 'hz-switcher';
    L.DomEvent.disableClickPropagation(div);
    var head = document.createElement('b');
    head.textContent = {{ this.title|tojson }};
    div.appendChild(head);
    dims.forEach(function(dim, d) {
      var row = document.createElement('div');
      var name = document.createElement('span');
      name.textContent = dim.title + ': ';
      row.appendChild(name);
      var shown = document.createElement('b');
      shown.className = 'hz-switcher-value';
      row.appendChild(shown);
      var input;
      if (dim.widget === 'range') {
        var prev = document.createElement('button'), next = document.createElement('button');
        prev.textContent = '\\u25c0'; next.textContent = '\\u25b6';
        prev.type = next.type = 'button';
        prev.className = 'hz-prev'; next.className = 'hz-next';
        input = document.createElement('input');
        input.type = 'range'; input.min = 0; input.max = dim.labels.length - 1; input.step = 1;
        prev.onclick = function() { input.value = Math.max(0, +input.value - 1); input.oninput(); };
        next.onclick = function() {
          input.value = Math.min(dim.labels.length - 1, +input.value + 1); input.oninput(); };
        var box = document.createElement('div');
        box.className = 'hz-range';
        box.appendChild(prev); box.appendChild(input); box.appendChild(next);
        row.appendChild(box);
      } else {
        input = document.createElement('select');
        dim.labels.forEach(function(label, i) {
          var o = document.createElement('option'); o.value = i; o.textContent = label;
          input.appendChild(o);
        });
        shown.style.display = 'none';
        var wrap = document.createElement('div');
        wrap.appendChild(input);
        row.appendChild(wrap);
      }
      input.className = (input.className + ' hz-dim hz-dim-' + d).trim();
      input.value = state[d];
      input.oninput = input.onchange = function() {
        state[d] = +input.value; shown.textContent = dim.labels[state[d]]; show(); };
      shown.textContent = dim.labels[state[d]];
      div.appendChild(row);
    });
    return div;
  };
  function show() {
    var key = state.join('|');
    Object.keys(layers).forEach(function(k) {
      if (k === key) { if (!map.hasLayer(layers[k])) map.addLayer(layers[k]); }
      else if (map.hasLayer(layers[k])) map.removeLayer(layers[k]);
    });
    map.getContainer().setAttribute('data-hz-shown', key);
  }
  control.addTo(map);
  show();
})();
"""


def switcher(m: Any, title: str, dims: list[tuple[str, list[str], str]],
             layers: dict[tuple[int, ...], Any], start: tuple[int, ...], *,
             position: str = "bottomleft") -> Any:
    """An exclusive layer switcher: one of ``layers`` shown, chosen along ``dims``.

    Parameters
    ----------
    m
        The folium map.
    title
        The heading of the control.
    dims
        ``(title, labels, widget)`` per dimension; ``widget`` is ``"range"`` (a slider with
        previous/next buttons) or ``"select"``.
    layers
        The folium groups (added to the map with ``control=False``), keyed by the index of
        their label along each dimension.
    start
        The indices shown first.
    position
        A Leaflet control position.
    """
    el = macro(_SWITCHER_JS, title=str(title),
               dims=[{"title": str(t), "labels": [str(x) for x in labels], "widget": w}
                     for t, labels, w in dims],
               layers={"|".join(str(i) for i in k): v for k, v in layers.items()},
               start=list(start), position=position)
    m.add_child(el)
    return el


NORTH_ARROW = ('<div id="hz-north" title="north" style="position:fixed;top:84px;left:10px;'
               'z-index:9999;width:30px;text-align:center;font:bold 13px sans-serif;'
               'background:rgba(255,255,255,0.9);border-radius:4px;padding:2px 0;'
               'box-shadow:0 1px 4px rgba(0,0,0,.3)">'
               '<svg width="16" height="22" viewBox="0 0 16 22" aria-hidden="true">'
               '<polygon points="8,0 15,20 8,15 1,20" fill="#222"/></svg><br>N</div>')


# ------------------------------------------------------------------------------------------
# rendering
# ------------------------------------------------------------------------------------------

_SCRIPT = re.compile(r'<script src="(https?://[^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')
#: Icon fonts are not used by our maps and are large; they are dropped when inlining.
_SKIP_INLINE = ("fontawesome", "bootstrap-glyphicons")
_HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def _element_ids(root: Any) -> set[str]:
    ids, stack = set(), [root]
    while stack:
        el = stack.pop()
        ids.add(el._id)
        stack.extend(el._children.values())
        for part in ("header", "html", "script"):
            child = el.__dict__.get(part)
            if child is not None and hasattr(child, "_children"):
                stack.append(child)
    return ids


def _stable_ids(page: str, root: Any) -> str:
    """Replace folium's random element ids by sequential ones in order of appearance."""
    ids = _element_ids(root)
    seen: dict[str, str] = {}

    def sub(match: re.Match) -> str:
        token = match.group()
        if token not in ids:
            return token
        if token not in seen:
            seen[token] = f"{len(seen):032x}"
        return seen[token]

    return _HEX_ID.sub(sub, page)


class Literal:
    """A stand-in for a Jinja template that renders its text as it is.

    branca turns every rendered piece of a map (and every ``Element(html)``) into a new Jinja
    template and renders it once more: about 2 ms of compiling per marker, tooltip and popup,
    and any ``{{ ... }}`` in a name would be evaluated as a template expression. A
    :class:`Literal` gives exactly what Jinja gives for text without template syntax (newlines
    normalised to ``\\n``, one trailing newline dropped) and never evaluates anything.
    """

    __slots__ = ("_text",)

    def __init__(self, source: str = "") -> None:
        s = source.replace("\r\n", "\n").replace("\r", "\n")
        self._text = s[:-1] if s.endswith("\n") else s

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self._text


def static(markup: str) -> Any:
    """A branca ``Element`` holding ``markup`` as it is (never rendered as a template)."""
    el = folium().Element()
    el._template = Literal(markup)
    el._template_str = None
    return el


_LITERAL_LOCK = threading.RLock()


@functools.lru_cache(maxsize=256)
def _camelify(name: str) -> str:
    """branca's ``_camelify`` (a pure function of the class name), remembered."""
    from branca.utilities import _camelify as camelify

    return camelify(name)


@contextlib.contextmanager
def _literal_templates() -> Iterator[None]:
    """While rendering, branca wraps each rendered piece in a :class:`Literal`, not a template,
    and names elements with a remembered ``_camelify`` (branca computes the same variable-name
    prefix from the class name for every reference to an element: ~8,000 calls per report)."""
    import branca.element as be

    with _LITERAL_LOCK:
        saved = be.Template, be._camelify
        be.Template, be._camelify = Literal, _camelify
        try:
            yield
        finally:
            be.Template, be._camelify = saved


def _inline(page: str) -> str:
    try:
        from offlinefolium.elements import _res as assets
    except ImportError as exc:
        raise ImportError("self-contained maps need the folium-offline package: "
                          "pip install folium-offline (or write the map with --cdn)") from exc

    def script(match: re.Match) -> str:
        url = match.group(1)
        if url not in assets:
            raise InputError(f"self-contained map: no bundled copy of {url}; use --cdn")
        return "<script>" + assets[url].replace("</script>", "<\\/script>") + "</script>"

    def css(match: re.Match) -> str:
        url = match.group(1)
        if any(s in url for s in _SKIP_INLINE):
            return ""
        if url not in assets:
            raise InputError(f"self-contained map: no bundled copy of {url}; use --cdn")
        return "<style>" + assets[url] + "</style>"

    return _CSS.sub(css, _SCRIPT.sub(script, page))


def render_html(m: Any, *, cdn: bool = False, offline: bool | None = None) -> str:
    """The map as one HTML document.

    Parameters
    ----------
    m
        A folium map.
    cdn
        Load Leaflet/folium from their CDNs instead of inlining them (smaller file, needs the
        network).
    offline
        Deprecated spelling: ``offline=False`` is ``cdn=True``.

    Returns
    -------
    str
        The page; element ids are sequential, so identical maps give identical text.
    """
    if offline is not None:
        cdn = not offline
    root = m.get_root()
    with _literal_templates():
        page = root.render()
    page = _stable_ids(page, root)
    return page if cdn else _inline(page)
