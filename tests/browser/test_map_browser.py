"""The one map (storyline.mapview) in the standalone report and on the app's /map page, in
headless Chromium: place labels that do not collide, arrowheads, a legend, place popups
that list the movements through the place (a click on Raqqa's circle opens Raqqa, not a line
starting at its centre), a time filter that hides and shows movements, the same attribution
in both, and no error, no network, no default Leaflet attribution."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.app import create_app
from storyline.demo import write_corpus_report
from storyline.mapview import ATTRIBUTION
from storyline.store import Store

from .conftest import LiveServer, PageErrors, injected, leaflet_shapes, shot, wait_basemap

#: labels drawn (not hidden), with their boxes in client coordinates
LABELS_JS = """(root) => Array.from(document.querySelectorAll(root + ' .map-label'))
  .filter(l => getComputedStyle(l).visibility !== 'hidden')
  .map(l => { const r = l.getBoundingClientRect();
              return {text: l.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, kids: l.children.length}; })"""

#: the centre of the circle whose tooltip names ``name``, and whether a click there hits it
CIRCLE_OF_JS = """([root, name]) => {
  const h = window.StorylineMap.get(document.querySelector(root));
  let found = null;
  h.map.eachLayer(l => {
    const t = l.getTooltip && l.getTooltip();
    if (l instanceof L.CircleMarker && t && t.getContent().textContent === name) { found = l; }
  });
  if (!found) { return null; }
  const r = found._path.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  return [x, y, document.elementFromPoint(x, y) === found._path];
}"""


def labels(pg: Any, root: str = "#map") -> list[dict[str, Any]]:
    return list(pg.evaluate(LABELS_JS, root))


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x0"] < b["x1"] - 0.5 and b["x0"] < a["x1"] - 0.5 and a["y0"] < b["y1"] - 0.5 and b["y0"] < a["y1"] - 0.5:
                out.append((a["text"], b["text"]))
    return out


def most_mentioned(features: list[dict[str, Any]]) -> str:
    places = [f["properties"] for f in features if f["properties"]["feature"] == "place"]
    return str(min(places, key=lambda p: p["rank"])["name"])


def click_place(pg: Any, name: str, root: str = "#map") -> str:
    """Click the place's circle like a user; the popup's text."""
    pg.locator(root).scroll_into_view_if_needed()
    found = pg.evaluate(CIRCLE_OF_JS, [root, name])
    assert found, f"no circle for {name}"
    x, y, on_top = found
    assert on_top, f"{name}'s circle is covered at its centre (a line would take the click)"
    pg.mouse.click(x, y)
    popup = pg.locator(f"{root} .leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5000)
    return str(popup.inner_text())


def visible_lines(pg: Any) -> int:
    return int(leaflet_shapes(pg)["lines"])


def check_map(pg: Any, errors: PageErrors, features: list[dict[str, Any]], artifacts: Path, name: str) -> None:
    moves = [f for f in features if f["properties"]["feature"] == "movement"]
    shapes = leaflet_shapes(pg)
    assert shapes["polygons"] == shapes["lines"] == len(moves) > 0, shapes  # an arrowhead on every line
    assert shapes["covered"] == 0, shapes
    # labels: the most-mentioned place is labelled, several are, none overlaps another
    drawn = labels(pg)
    texts = [d["text"] for d in drawn]
    top = most_mentioned(features)
    assert top in texts and len(texts) >= 4, texts
    assert not overlapping(drawn), overlapping(drawn)
    assert all(d["kids"] == 0 for d in drawn)  # text only
    # the legend and the attribution (the same in report and app; no default Leaflet prefix)
    legend = pg.locator("#map-bar .map-legend").inner_text()
    for words in ("place", "region or country", "movement", "hedged", "faded"):
        assert words in legend, legend
    assert pg.locator("#map .leaflet-control-attribution").inner_text().strip() == ATTRIBUTION
    assert pg.locator("#map .leaflet-control-attribution a").count() == 0
    shot(pg, artifacts, f"{name}-map", selector="#map")
    # a click on the most-mentioned place's circle opens that place, with its movements
    text = click_place(pg, top)
    assert text.startswith(top), text
    through = [m for m in moves if top in (m["properties"]["label"] or "")]
    assert f"Movements through {top} ({len(through)})" in text, text
    assert "→" in text and "mention" in text, text
    assert not any(m["properties"]["sentence"][:30] in text for m in moves)  # not a movement's popup
    shot(pg, artifacts, f"{name}-map-place-popup", selector="#map")
    pg.locator("#map .leaflet-popup-close-button").click()
    # the time filter: the earliest date only, then everything again
    dated = sorted({m["properties"]["time"]["value"] for m in moves if (m["properties"].get("time") or {}).get("value")})
    assert len(dated) >= 2
    undated = sum(1 for m in moves if not (m["properties"].get("time") or {}).get("value"))
    first_day = sum(1 for m in moves if (m["properties"].get("time") or {}).get("value") == dated[0])
    pg.locator("#map-bar .map-filter input.filter-to").fill("0")
    assert visible_lines(pg) == first_day + undated
    out = pg.locator("#map-bar .map-filter .filter-out").inner_text()
    assert f"{first_day + undated} of {len(moves)} movements" in out, out
    if undated:
        pg.locator("#map-bar .map-filter input[type=checkbox]").uncheck()
        assert visible_lines(pg) == first_day
        pg.locator("#map-bar .map-filter input[type=checkbox]").check()
    shot(pg, artifacts, f"{name}-map-filtered", selector="#map")
    shot(pg, artifacts, f"{name}-map-bar", selector="#map-bar")
    pg.locator("#map-bar .map-filter input.filter-to").fill(str(len(dated) - 1))
    assert visible_lines(pg) == len(moves)
    assert not injected(pg)
    errors.assert_clean()


@pytest.fixture(scope="module")
def report_path(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus_report(sample_store, tmp_path_factory.mktemp("map") / "report.html")


@pytest.fixture(scope="module")
def server(sample_store: Store) -> Iterator[LiveServer]:
    with LiveServer(create_app(sample_store.path)) as srv:
        yield srv


def test_report_map(page: tuple[Any, PageErrors], report_path: Path, artifacts: Path) -> None:
    pg, errors = page
    pg.goto(report_path.as_uri(), wait_until="load")
    pg.wait_for_selector("#map .leaflet-basemap-pane path", state="attached", timeout=10_000)
    data = json.loads(pg.locator("#report-data").text_content())
    check_map(pg, errors, data["map"]["features"], artifacts, "report")
    # a movement's popup links to its timeline entry, which opens although its section is folded
    moves = [f for f in data["map"]["features"] if f["properties"]["feature"] == "movement"]
    linked = [m for m in moves if m["properties"].get("href")]
    assert linked and all(m["properties"]["href"].startswith("#t-") for m in linked)
    assert pg.locator("#timeline").get_attribute("open") is None
    pg.evaluate("(h) => { const a = document.createElement('a'); a.href = h; a.textContent = 'x';"
                " document.querySelector('#map').appendChild(a); a.click(); a.remove(); }", linked[0]["properties"]["href"])
    target = pg.locator(linked[0]["properties"]["href"])
    target.wait_for(state="visible", timeout=3000)
    assert pg.locator("#timeline").get_attribute("open") is not None
    errors.assert_clean()


def test_app_map(page: tuple[Any, PageErrors], server: LiveServer, artifacts: Path) -> None:
    pg, errors = page
    resp = pg.goto(server.url + "/map", wait_until="load")
    assert resp is not None and resp.status == 200
    assert "default-src 'none'" in resp.headers.get("content-security-policy", "")
    wait_basemap(pg)
    data = json.loads(pg.locator("#map-data").text_content())
    check_map(pg, errors, data["features"], artifacts, "app")
    # the place popup's title links to the place page; a movement's links to its evidence
    top = most_mentioned(data["features"])
    click_place(pg, top)
    href = pg.locator("#map .leaflet-popup-content a.popup-title").get_attribute("href")
    assert href and href.startswith("/places/"), href
    assert pg.locator("#map .leaflet-popup-content .popup-moves a[href^='/docs/']").count() >= 1
    errors.assert_clean()
