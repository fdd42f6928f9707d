/* storyline web app: places and movements on an offline Leaflet map.
 * Data comes from <script type="application/json" id="map-data">; popups are built with
 * DOM nodes and textContent (never HTML strings), since names come from documents. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);

  function popup(title, href, lines) {
    var div = document.createElement("div");
    var head;
    if (typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/") {
      head = document.createElement("a");
      head.setAttribute("href", href);
    } else {
      head = document.createElement("strong");
    }
    head.textContent = title;
    div.appendChild(head);
    lines.forEach(function (line) {
      if (!line) { return; }
      var p = document.createElement("div");
      p.textContent = line;
      div.appendChild(p);
    });
    return div;
  }

  var map = L.map(el, { worldCopyJump: true, preferCanvas: false });
  var points = [];
  // The base map arrives after the markers (fetched): its own pane below the overlay pane,
  // so its filled countries never cover the places and movements.
  map.createPane("basemap");
  map.getPane("basemap").style.zIndex = 200;
  var basemap = L.layerGroup().addTo(map);
  if (data.basemap) {
    fetch(data.basemap, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (!g) { return; }
        L.geoJSON(g, {
          pane: "basemap",
          interactive: false,
          style: { color: "#9aa3ad", weight: 0.8, fillColor: "#f2efe9", fillOpacity: 1 }
        }).addTo(basemap);
      })
      .catch(function () { /* the data layers still show without the base map */ });
  }

  var places = L.layerGroup().addTo(map);
  var precise = [], movePoints = [];
  (data.places || []).forEach(function (p) {
    var ll = [p.lat, p.lon];
    points.push(ll);
    if (p.precision === undefined || p.precision === null || p.precision < 3) { precise.push(ll); }
    L.circleMarker(ll, {
      radius: Math.min(18, 4 + 2 * Math.sqrt(p.mentions || 1)),
      color: "#1f5f8b", weight: 1, fillColor: "#3a89c9", fillOpacity: 0.6
    }).bindPopup(popup(p.name, p.href, [
      [p.kind, p.country].filter(Boolean).join(", "),
      p.mentions + " mention(s) in " + p.documents + " document(s)",
      p.precision ? "precision " + p.precision : ""
    ])).addTo(places);
  });

  var moves = L.layerGroup().addTo(map);
  (data.moves || []).forEach(function (m) {
    var label = [m.type, m.actor].filter(Boolean).join(": ");
    var lines = [
      (m.from_name || "?") + " \u2192 " + (m.to_name || "?"),
      m.when ? "when: " + m.when : "undated",
      (m.quantities || []).join(", "),
      m.sources + " independent source(s)"
    ];
    if (m.from && m.to) {
      points.push(m.from, m.to);
      movePoints.push(m.from, m.to);
      L.polyline([m.from, m.to], { color: "#b03a2e", weight: 2, opacity: 0.8 })
        .bindPopup(popup(label, m.href, lines)).addTo(moves);
      L.circleMarker(m.to, { radius: 4, color: "#b03a2e", weight: 1, fillColor: "#b03a2e", fillOpacity: 1 })
        .bindPopup(popup(label, m.href, lines)).addTo(moves);
    } else {
      var ll = m.to || m.from;
      points.push(ll);
      L.circleMarker(ll, { radius: 5, color: "#b03a2e", weight: 2, fillOpacity: 0 })
        .bindPopup(popup(label, m.href, lines)).addTo(moves);
    }
  });

  L.control.layers(null, { "Places": places, "Movements": moves }, { collapsed: false }).addTo(map);
  // Frame the movements (else the precisely located places): one far-off or country-level
  // place must not zoom the map out to the whole world, where the movements are invisible.
  var frame = movePoints.length ? movePoints : (precise.length ? precise : points);
  if (frame.length) {
    map.fitBounds(L.latLngBounds(frame).pad(0.3), { maxZoom: 8 });
  } else {
    map.setView([25, 20], 2);
  }
})();
