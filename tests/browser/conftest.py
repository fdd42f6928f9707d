"""Browser tests: Debian's chromium driven by Playwright (its own browser download cannot
work offline). Screenshots land in ``$STORYLINE_ARTIFACTS`` (default ``./test-artifacts``).

Without chromium the tests skip locally, but fail under CI (``CI`` set): the README's test
command installs it, so a missing browser there is a broken install, not a reason to skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = Path(os.environ.get("STORYLINE_ARTIFACTS", "test-artifacts")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: scripts/test.sh should have installed it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class PageErrors:
    """Console errors, uncaught exceptions, dialogs (alert/confirm: an XSS firing) and any
    request that left the machine."""

    def __init__(self, page: Any) -> None:
        self.console: list[str] = []
        self.exceptions: list[str] = []
        self.dialogs: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.exceptions.append(str(e)))

        def on_dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

        def on_request(r: Any) -> None:
            url = r.url
            if not url.startswith(("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")):
                self.external.append(url)

        page.on("request", on_request)

    def assert_clean(self) -> None:
        assert not self.dialogs, f"a dialog opened (script executed): {self.dialogs}"
        assert not self.exceptions, f"uncaught page errors: {self.exceptions}"
        assert not self.console, f"console errors: {self.console}"
        assert not self.external, f"requests left the machine: {self.external}"


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, PageErrors]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors = PageErrors(pg)
    try:
        yield pg, errors
    finally:
        context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The web app under uvicorn on 127.0.0.1 in a thread; stopped by the fixture."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# --------------------------------------------------------------------------- page helpers

#: Leaflet's SVG paths by shape: circle markers are drawn with arcs, polygons (arrow heads)
#: are closed, polylines are open; "M0 0" is a layer clipped out of view.
LEAFLET_SHAPES_JS = """(root) => {
  const out = {circles: 0, lines: 0, polygons: 0, clipped: 0, basemap: 0, covered: 0};
  const box = document.querySelector(root);
  if (!box) { return out; }
  for (const p of box.querySelectorAll('path.leaflet-interactive')) {
    const d = (p.getAttribute('d') || '').trim();
    if (!d || d === 'M0 0') { out.clipped++; }
    else if (d.includes('a')) { out.circles++; }
    else if (/z$/i.test(d)) { out.polygons++; }
    else { out.lines++; }
  }
  const base = Array.from(box.querySelectorAll('.leaflet-pane path:not(.leaflet-interactive)'));
  out.basemap = base.length;
  // data layers painted under the base map (a later sibling, or a pane stacked higher)
  const z = (el) => Number(getComputedStyle(el.closest('.leaflet-pane')).zIndex) || 0;
  const top = base.length ? base[base.length - 1] : null;
  out.covered = 0;
  if (top) {
    for (const p of box.querySelectorAll('path.leaflet-interactive')) {
      const later = p.compareDocumentPosition(top) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (z(top) > z(p) || (z(top) === z(p) && later)) { out.covered++; }
    }
  }
  return out;
}"""

#: a point on a visible Leaflet path of the given kind that a click there would hit
#: (elementFromPoint is the path itself), as client coordinates; null when none is clickable
CLICKABLE_POINT_JS = """([root, kind, nth]) => {
  const box = document.querySelector(root);
  let seen = 0;
  for (const p of box.querySelectorAll('path.leaflet-interactive')) {
    const d = (p.getAttribute('d') || '').trim();
    const isCircle = d.includes('a'), isPolygon = /z$/i.test(d);
    if (d === 'M0 0' || (kind === 'circle') !== isCircle || (kind === 'line' && isPolygon)) { continue; }
    const candidates = [];
    if (kind === 'circle') {
      const r = p.getBoundingClientRect();
      candidates.push([r.left + r.width / 2, r.top + r.height / 2]);
    } else {
      const len = p.getTotalLength(), m = p.getScreenCTM();
      for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
        const pt = p.getPointAtLength(len * f);
        candidates.push([m.a * pt.x + m.c * pt.y + m.e, m.b * pt.x + m.d * pt.y + m.f]);
      }
    }
    for (const [x, y] of candidates) {
      if (x > 0 && y > 0 && x < innerWidth && y < innerHeight && document.elementFromPoint(x, y) === p) {
        if (seen++ === nth) { return [x, y]; }
        break;
      }
    }
  }
  return null;
}"""

#: what a payload could have turned into: elements, inline handlers, javascript: links
INJECTED_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('img[src="x"], iframe, object, embed, svg[onload], base, form[action^="javascript" i]')) {
    found.push(el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = (a.value || '').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (a.name.toLowerCase().startsWith('on')) { found.push(el.tagName + ' ' + a.name + '=' + a.value); }
      if (['href', 'src', 'action', 'xlink:href', 'formaction', 'data'].includes(a.name.toLowerCase())
          && v.startsWith('javascript:')) { found.push(el.tagName + ' ' + a.name + '=' + a.value); }
    }
  }
  for (const s of document.querySelectorAll('script')) {
    const type = (s.getAttribute('type') || '').toLowerCase();
    if (type === 'application/json') { continue; }
    const src = s.getAttribute('src');
    if (src !== null && !src.startsWith('/static/')) { found.push('script src=' + src); }
    if (src === null && /alert\\(/.test(s.textContent)) { found.push('inline script calling alert'); }
  }
  return found;
}"""


def shot(page: Any, artifacts: Path, name: str, *, selector: str | None = None, full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or one element) under the artifacts folder."""
    path = artifacts / f"{name}.png"
    if selector:
        page.locator(selector).first.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 1000, f"empty screenshot {path}"
    return path


def leaflet_shapes(page: Any, root: str = "#map") -> dict[str, int]:
    return dict(page.evaluate(LEAFLET_SHAPES_JS, root))


def open_popup(page: Any, kind: str, root: str = "#map", nth: int = 0) -> str | None:
    """Click the ``nth`` clickable circle marker (``kind="circle"``) or movement line
    (``"line"``) on the map like a user would, and return the text of the popup that opens
    (None when there are not that many; at least one is required)."""
    page.locator(root).scroll_into_view_if_needed()
    close = page.locator(f"{root} .leaflet-popup-close-button")
    if close.count():
        close.first.click()
    page.locator(f"{root} .leaflet-popup").first.wait_for(state="detached", timeout=5000)
    point = page.evaluate(CLICKABLE_POINT_JS, [root, kind, nth])
    if point is None and nth > 0:
        return None
    assert point, f"no clickable {kind} on the map"
    page.mouse.click(point[0], point[1])
    popup = page.locator(f"{root} .leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5000)
    page.wait_for_function(  # the fade-in done, for the screenshot
        "(r) => getComputedStyle(document.querySelector(r + ' .leaflet-popup')).opacity === '1'", arg=root,
        timeout=5000)
    return str(popup.inner_text())


def wait_basemap(page: Any, root: str = "#map", minimum: int = 50) -> None:
    """Wait until the base map's country outlines are drawn (the app fetches them).
    (Functions, not expression strings: a string is eval'ed in the page, which its CSP forbids.)"""
    page.wait_for_function(
        "([r, n]) => document.querySelectorAll(r + ' .leaflet-pane path:not(.leaflet-interactive)').length > n",
        arg=[root, minimum], timeout=10_000)


def injected(page: Any) -> list[str]:
    """Elements, inline handlers and javascript: URLs that a payload could have created."""
    return list(page.evaluate(INJECTED_JS))
