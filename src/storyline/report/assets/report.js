/* storyline situation report: map, evidence reveal, print helpers.
 * Plain JS, no framework. Data comes from the page's JSON data blocks, read with
 * JSON.parse; text is only ever set with textContent (never innerHTML), and Leaflet
 * popups/tooltips get DOM nodes, not strings. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var data = readJSON("report-data") || {};
  var anchors = data.anchors || {};

  /* ------------------------------------------------------------ evidence reveal */

  function allFindings() {
    return Array.prototype.slice.call(document.querySelectorAll("details.finding"));
  }

  function setupFindings() {
    allFindings().forEach(function (d) {
      var summary = d.querySelector("summary");
      if (summary) { summary.setAttribute("aria-expanded", d.open ? "true" : "false"); }
      d.addEventListener("toggle", function () {
        if (summary) { summary.setAttribute("aria-expanded", d.open ? "true" : "false"); }
        d.classList.toggle("revealed", d.open);
        highlightMovement(d.getAttribute("data-finding"), d.open);
      });
    });
    var actions = document.getElementById("summary-actions");
    if (actions) {
      actions.hidden = false;
      actions.addEventListener("click", function (ev) {
        var target = ev.target;
        if (!(target instanceof HTMLElement)) { return; }
        var action = target.getAttribute("data-action");
        if (!action) { return; }
        var list = document.querySelectorAll("#summary-list details.finding");
        Array.prototype.forEach.call(list, function (d) { d.open = action === "open-all"; });
      });
    }
    // A link to a finding (timeline axis, map popup, movements table) opens it.
    function openHash() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      if (!id) { return; }
      var target = document.getElementById(id);
      if (target && target.tagName === "DETAILS") { target.open = true; }
    }
    window.addEventListener("hashchange", openHash);
    openHash();
  }

  /* Print everything: open all evidence before printing, restore afterwards. */
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  /* ------------------------------------------------------------ map */

  var movementLayers = {};

  function highlightMovement(findingId, on) {
    var layer = movementLayers[findingId];
    if (!layer) { return; }
    layer.line.setStyle({ weight: on ? layer.weight + 3 : layer.weight, opacity: on ? 1 : 0.85 });
    layer.head.setStyle({ weight: on ? 2 : 1 });
  }

  function popupFor(lines, linkId) {
    var box = el("div", "map-popup");
    lines.forEach(function (l, i) {
      if (l === null || l === undefined || l === "") { return; }
      box.appendChild(el(i === 0 ? "strong" : "div", i === 0 ? "popup-title" : "popup-line", l));
    });
    if (linkId && anchors[linkId]) {
      var a = el("a", "popup-link", "Show the evidence");
      a.setAttribute("href", "#t-" + anchors[linkId]);
      box.appendChild(a);
    }
    return box;
  }

  function arrowHead(from, to) {
    // A triangle at the destination, drawn in a locally isotropic lon/lat frame so it
    // points along the line at any zoom; its size follows the line's length.
    var k = Math.cos(to[0] * Math.PI / 180) || 1;
    var dx = (to[1] - from[1]) * k, dy = to[0] - from[0];
    var len = Math.sqrt(dx * dx + dy * dy) || 1;
    var size = Math.min(Math.max(len * 0.1, 0.06), 0.3);
    var ux = dx / len, uy = dy / len;
    var bx = to[1] * k - ux * size, by = to[0] - uy * size;
    var px = -uy * size * 0.55, py = ux * size * 0.55;
    return [[to[0], to[1]], [by + py, (bx + px) / k], [by - py, (bx - px) / k]];
  }

  function setupMap() {
    var node = document.getElementById("map");
    var L = window.L;
    if (!node || !L || !data.map) { return; }
    node.classList.add("map-ready");
    var map = L.map(node, { zoomSnap: 0.25, worldCopyJump: false, scrollWheelZoom: false });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Natural Earth");
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 200;

    function addBase(gj) {
      if (!gj) { return; }
      L.geoJSON(gj, {
        pane: "basemap", interactive: false,
        style: function () { return { color: "#8a94a0", weight: 0.7, fillColor: "#f4f1e8", fillOpacity: 1 }; }
      }).addTo(map);
    }
    var base = readJSON("basemap-data");
    if (base) { addBase(base); }
    else if (node.getAttribute("data-basemap-url") && window.fetch) {
      window.fetch(node.getAttribute("data-basemap-url"))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(addBase)
        .catch(function () { /* the map still shows places and movements */ });
    }

    var bounds = [];
    var feats = (data.map.features || []);
    feats.forEach(function (f) {
      var p = f.properties || {};
      var g = f.geometry || {};
      if (g.type === "Point" && p.feature === "place") {
        var ll = [g.coordinates[1], g.coordinates[0]];
        var r = 4 + 2.5 * Math.sqrt(p.mentions || 1);
        var m = L.circleMarker(ll, {
          radius: Math.min(r, 22), color: "#1f4e79", weight: 1, fillColor: "#3b7dd8",
          fillOpacity: p.precision >= 3 ? 0.15 : 0.45
        }).addTo(map);
        m.bindPopup(popupFor([
          p.name,
          p.gazetteer_name && p.gazetteer_name !== p.name ? "gazetteer: " + p.gazetteer_name : "",
          (p.kind || "place") + ", precision " + p.precision,
          (p.mentions || 0) + " mention(s) in " + (p.documents_total || (p.documents || []).length) + " document(s)"
        ]));
        m.bindTooltip(el("span", null, p.name));
        if (p.precision < 3) { bounds.push(ll); }
      } else if (g.type === "LineString" && p.feature === "movement") {
        var a = [g.coordinates[0][1], g.coordinates[0][0]];
        var b = [g.coordinates[1][1], g.coordinates[1][0]];
        var n = p.independent_sources || 1;
        var weight = 2 + Math.min(n, 4);
        var color = p.certainty === "hedged" || p.certainty === "denied" ? "#8e44ad" : "#c0392b";
        var opts = { color: color, weight: weight, opacity: 0.85 };
        if (p.precision >= 3) { opts.dashArray = "6 5"; }
        var line = L.polyline([a, b], opts).addTo(map);
        var head = L.polygon(arrowHead(a, b), { color: color, weight: 1, fillColor: color, fillOpacity: 0.9 }).addTo(map);
        var t = p.time || {};
        var when = t.value ? t.value + " (" + (t.granularity || "?") + (t.placed_by === "publication" ? ", publication date" : "") + ")" : "date unknown";
        var pop = popupFor([
          p.label,
          (p.event_type || "movement") + ((p.quantities || []).length ? ": " + p.quantities.join(", ") : ""),
          when,
          n + " independent source(s); " + (p.certainty || "certainty unknown"),
          "“" + (p.sentence || "") + "”"
        ], p.finding);
        line.bindPopup(pop);
        head.bindPopup(popupFor([p.label, "“" + (p.sentence || "") + "”"], p.finding));
        line.bindTooltip(el("span", null, p.label));
        movementLayers[p.finding] = { line: line, head: head, weight: weight };
        bounds.push(a, b);
      }
    });
    // room at the bottom for the legend (bottom left), so it hides no place or arrow
    if (bounds.length) { map.fitBounds(bounds, { paddingTopLeft: [30, 30], paddingBottomRight: [30, 110], maxZoom: 8 }); }
    else { map.setView([25, 20], 2); }

    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = el("div", "map-legend");
      box.appendChild(el("div", "lg lg-place", "place (size: mentions)"));
      box.appendChild(el("div", "lg lg-move", "movement (width: independent sources)"));
      box.appendChild(el("div", "lg lg-hedged", "hedged movement"));
      box.appendChild(el("div", "lg lg-vague", "dashed: an end known only to a region/country"));
      return box;
    };
    legend.addTo(map);
    node.addEventListener("focus", function () { map.scrollWheelZoom.enable(); });
  }

  function start() {
    setupFindings();
    try { setupMap(); } catch (e) { /* the tables below the map carry the same data */ }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
