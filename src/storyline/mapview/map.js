/* storyline map: places and movements on an offline Leaflet map, shared by the situation
 * report and the web app's /map page (src/storyline/mapview/__init__.py explains the data).
 *
 * Mounts on every element with data-map-json="ID" (the id of a JSON data script element;
 * data-map-key="map" takes that member of it). data-basemap-json names a block holding
 * the Natural Earth base map, data-basemap-url a same-origin URL to fetch it from.
 * Text from documents is only ever set with textContent (never innerHTML); links only to
 * "#…" or same-site "/…" targets. No inline code and no eval: runs under both pages' CSP. */
(function () {
  "use strict";

  var ATTRIBUTION = "Base map: Natural Earth (public domain) · Leaflet (BSD-2)";
  var COLOR = { asserted: "#c0392b", hedged: "#7d3c98", place: "#3b7dd8", placeLine: "#1f4e79" };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var MAX_POPUP_MOVES = 12;
  var instances = [];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function readJSON(id) {
    var node = id ? document.getElementById(id) : null;
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function safeHref(h) {
    return typeof h === "string" && (h.charAt(0) === "#" || (h.charAt(0) === "/" && h.charAt(1) !== "/")) ? h : null;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
  // as storyline.quoting.quoted: no outer marks around a text that carries its own
  function quoted(s) { return /^\s*["“”„‟«»‘‚‛‹›']|["“”‟«»’‛‹›][.,;:!?…)\]\s]*$/.test(s) ? s : "“" + s + "”"; }

  function dateLabel(v) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(v || "");
    if (!m) { return v || ""; }
    if (m[3]) { return Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1]; }
    if (m[2]) { return MONTHS[Number(m[2]) - 1] + " " + m[1]; }
    return m[1];
  }

  function isHedged(p) { return p.certainty === "hedged" || p.certainty === "denied"; }
  function isVague(p) { return (p.precision || 0) >= 3; }
  function placeRadius(p) { return Math.min(4 + 2.5 * Math.sqrt(p.mentions || 1), 22); }

  function link(text, href, cls) {
    var h = safeHref(href);
    var a = el(h ? "a" : "span", cls, text);
    if (h) { a.setAttribute("href", h); }
    return a;
  }

  /* ------------------------------------------------------------ popups */

  function movementLine(p) {
    var bits = [p.label || "?"];
    if (p.event_type) { bits.push(p.event_type); }
    if (p.when) { bits.push(p.when); }
    return bits.join(" · ");
  }

  function placePopup(p, moves) {
    var box = el("div", "map-popup place-popup");
    box.appendChild(link(p.name, p.href, "popup-title"));
    var what = [p.kind || "place", p.country_name ? "in " + p.country_name : ""].filter(Boolean).join(" ");
    box.appendChild(el("div", "popup-line", what));
    if (p.gazetteer_name && p.gazetteer_name !== p.name) {
      box.appendChild(el("div", "popup-line muted", "gazetteer: " + p.gazetteer_name));
    }
    var docs = p.documents_total || (p.documents || []).length;
    box.appendChild(el("div", "popup-line",
      plural(p.mentions || 0, "mention") + " in " + plural(docs, "document") +
      (isVague(p) ? " · located only to a region or country" : "")));
    if (moves.length) {
      box.appendChild(el("div", "popup-sub", "Movements through " + p.name + " (" + moves.length + ")"));
      var ul = el("ul", "popup-moves");
      moves.slice(0, MAX_POPUP_MOVES).forEach(function (m) {
        var li = el("li");
        li.appendChild(link(movementLine(m.properties), m.properties.href));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      if (moves.length > MAX_POPUP_MOVES) {
        box.appendChild(el("div", "popup-line muted", "… and " + (moves.length - MAX_POPUP_MOVES) + " more"));
      }
    } else {
      box.appendChild(el("div", "popup-line muted", "No movement starts or ends here."));
    }
    return box;
  }

  function movementPopup(p) {
    var box = el("div", "map-popup movement-popup");
    box.appendChild(el("strong", "popup-title", p.label));
    var q = (p.quantities || []).length ? ": " + p.quantities.join(", ") : "";
    box.appendChild(el("div", "popup-line", (p.event_type || "movement") + q));
    var t = p.time || {};
    box.appendChild(el("div", "popup-line", p.when ? p.when + (t.placed_by === "publication" ? " (publication date)" : "")
      : "date unknown"));
    var n = p.independent_sources || 1;
    box.appendChild(el("div", "popup-line", plural(n, "independent source") + "; " + (p.certainty || "certainty unknown")));
    if (isVague(p)) { box.appendChild(el("div", "popup-line muted", "an end is known only to a region or country")); }
    if (p.sentence) { box.appendChild(el("div", "popup-quote", quoted(p.sentence))); }
    if (safeHref(p.href)) {
      box.appendChild(link(p.href.charAt(0) === "#" ? "Show the evidence" : "Open the evidence", p.href, "popup-link"));
    }
    return box;
  }

  /* ------------------------------------------------------------ geometry */

  // The line between the two circles' edges and a triangle whose tip touches the
  // destination's circle, in screen pixels (the same size at every zoom).
  function movementShape(map, a, b, r0, r1, weight) {
    var pa = map.latLngToLayerPoint(a), pb = map.latLngToLayerPoint(b);
    var dx = pb.x - pa.x, dy = pb.y - pa.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
    var ux = dx / len, uy = dy / len;
    var headLen = 9 + weight * 1.5, headHalf = 4.5 + weight;
    if (len < r0 + r1 + headLen + 4) { r0 = 0; r1 = 0; }
    var start = L.point(pa.x + ux * r0, pa.y + uy * r0);
    var tip = L.point(pb.x - ux * r1, pb.y - uy * r1);
    var base = L.point(tip.x - ux * headLen, tip.y - uy * headLen);
    var toLL = function (pt) { return map.layerPointToLatLng(pt); };
    return {
      line: [toLL(start), toLL(base)],
      head: [toLL(tip), toLL(L.point(base.x - uy * headHalf, base.y + ux * headHalf)),
        toLL(L.point(base.x + uy * headHalf, base.y - ux * headHalf))]
    };
  }

  function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

  /* ------------------------------------------------------------ the map */

  function mount(node, collection, opts) {
    var L = window.L;
    if (!node || !L || !collection) { return null; }
    opts = opts || {};
    node.classList.add("map-ready");
    var map = L.map(node, { zoomSnap: 0.25, worldCopyJump: false, scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(ATTRIBUTION);
    [["basemap", 200], ["places", 420], ["labels", 430]].forEach(function (pz) {
      map.createPane(pz[0]);
      map.getPane(pz[0]).style.zIndex = pz[1];
    });

    function addBase(gj) {
      if (!gj) { return; }
      L.geoJSON(gj, {
        pane: "basemap", interactive: false,
        style: function () { return { color: "#8a94a0", weight: 0.7, fillColor: "#f4f1e8", fillOpacity: 1 }; }
      }).addTo(map);
    }
    if (opts.basemap) { addBase(opts.basemap); }
    else if (opts.basemapUrl && window.fetch) {
      window.fetch(opts.basemapUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(addBase)
        .catch(function () { /* the places and movements still show */ });
    }

    var feats = collection.features || [];
    var places = feats.filter(function (f) { return (f.properties || {}).feature === "place" && (f.geometry || {}).type === "Point"; });
    var moves = feats.filter(function (f) { return (f.properties || {}).feature === "movement" && (f.geometry || {}).type === "LineString"; });
    var byId = {};
    places.forEach(function (f) { byId[f.id] = f; });
    moves.forEach(function (f) { byId[f.id] = f; });
    var bounds = [];

    /* places: circles in a pane above the lines, so a click on one opens its own popup */
    var placeLayer = L.layerGroup().addTo(map);
    places.forEach(function (f) {
      var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var vague = isVague(p);
      var m = L.circleMarker(ll, {
        pane: "places", radius: placeRadius(p), color: COLOR.placeLine, weight: vague ? 1.5 : 1,
        dashArray: vague ? "3 3" : null, fillColor: COLOR.place, fillOpacity: vague ? 0.08 : 0.45,
        className: "map-place" + (vague ? " vague" : "")
      }).addTo(placeLayer);
      var through = (p.movements || []).map(function (id) { return byId[id]; }).filter(Boolean);
      m.bindPopup(function () { return placePopup(p, through); }, { maxWidth: 320 });
      m.bindTooltip(el("span", null, p.name));
      f._ll = ll;
      if (!vague) { bounds.push(ll); }
    });

    /* movements: a line and an arrowhead each, redrawn in pixels at every zoom */
    var moveLayer = L.layerGroup().addTo(map);
    var drawn = [];
    moves.forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates;
      var a = L.latLng(c[0][1], c[0][0]), b = L.latLng(c[1][1], c[1][0]);
      var n = p.independent_sources || 1;
      var weight = 2 + Math.min(n, 4);
      var color = isHedged(p) ? COLOR.hedged : COLOR.asserted;
      var style = { color: color, weight: weight, opacity: isVague(p) ? 0.5 : 0.9,
        dashArray: isHedged(p) ? "7 6" : null, className: "map-move" + (isHedged(p) ? " hedged" : "") };
      var line = L.polyline([a, b], style);
      var head = L.polygon([a, a, b], { color: color, weight: 1, fillColor: color, opacity: style.opacity,
        fillOpacity: isVague(p) ? 0.5 : 0.9, className: "map-arrow" });
      var group = L.featureGroup([line, head]).addTo(moveLayer);
      group.bindPopup(function () { return movementPopup(p); }, { maxWidth: 320 });
      line.bindTooltip(el("span", null, p.label));
      var from = byId[(p.from || {}).place], to = byId[(p.to || {}).place];
      drawn.push({ f: f, a: a, b: b, line: line, head: head, group: group, weight: weight,
        r0: from ? placeRadius(from.properties) + 1 : 0, r1: to ? placeRadius(to.properties) + 1 : 0 });
      bounds.push(a, b);
    });

    function redrawMoves() {
      drawn.forEach(function (d) {
        var s = movementShape(map, d.a, d.b, d.r0, d.r1, d.weight);
        d.line.setLatLngs(s.line);
        d.head.setLatLngs(s.head);
      });
    }

    /* labels: most-mentioned first; one that would overlap a label already placed or
       another place's circle is left out (its circle keeps a tooltip) */
    var labelPane = map.getPane("labels");
    var labels = places.slice().sort(function (x, y) { return (x.properties.rank || 0) - (y.properties.rank || 0); })
      .map(function (f) {
        var span = el("span", "map-label" + (isVague(f.properties) ? " vague" : ""), f.properties.name);
        labelPane.appendChild(span);
        return { f: f, node: span };
      });
    function placeLabels() {
      var size = map.getSize();
      if (!size.x || !size.y) { return; }
      var circles = places.map(function (f) {
        var pt = map.latLngToLayerPoint(f._ll), r = placeRadius(f.properties);
        return { id: f.id, x0: pt.x - r, x1: pt.x + r, y0: pt.y - r, y1: pt.y + r };
      });
      var taken = [];
      var frameBox = node.getBoundingClientRect();
      Array.prototype.forEach.call(node.querySelectorAll(".leaflet-control"), function (c) {
        var r = c.getBoundingClientRect();
        var a = map.containerPointToLayerPoint([r.left - frameBox.left, r.top - frameBox.top]);
        var b = map.containerPointToLayerPoint([r.right - frameBox.left, r.bottom - frameBox.top]);
        taken.push({ x0: a.x, y0: a.y, x1: b.x, y1: b.y });
      });
      labels.forEach(function (lab) {
        var pt = map.latLngToLayerPoint(lab.f._ll), r = placeRadius(lab.f.properties);
        var w = lab.node.offsetWidth, h = lab.node.offsetHeight;
        var spots = [[pt.x + r + 3, pt.y - h / 2], [pt.x - r - 3 - w, pt.y - h / 2],
          [pt.x - w / 2, pt.y - r - 2 - h], [pt.x - w / 2, pt.y + r + 2]];
        var chosen = null;
        for (var i = 0; i < spots.length && !chosen; i++) {
          var box = { x0: spots[i][0], y0: spots[i][1], x1: spots[i][0] + w, y1: spots[i][1] + h };
          var clash = taken.some(function (t) { return overlaps(t, box); }) ||
            circles.some(function (c) { return c.id !== lab.f.id && overlaps(c, box); });
          if (!clash) { chosen = box; }
        }
        lab.node.classList.toggle("hidden", !chosen);
        if (chosen) {
          taken.push(chosen);
          L.DomUtil.setPosition(lab.node, L.point(chosen.x0, chosen.y0));
        }
      });
    }

    function frame() {
      map.invalidateSize();
      if (bounds.length) {
        map.fitBounds(bounds, { paddingTopLeft: [30, 30], paddingBottomRight: [30, 30], maxZoom: 8 });
      } else {
        map.setView([25, 20], 2);
      }
    }
    map.on("zoomend viewreset resize", function () { redrawMoves(); placeLabels(); });
    frame();
    redrawMoves();
    placeLabels();
    // drawn while hidden (a folded section): frame again once it has a size
    if (window.ResizeObserver) {
      var wasEmpty = !node.offsetWidth;
      new window.ResizeObserver(function () {
        if (node.offsetWidth && wasEmpty) { wasEmpty = false; frame(); redrawMoves(); placeLabels(); }
        else if (!node.offsetWidth) { wasEmpty = true; }
      }).observe(node);
    }

    /* below the map, hiding none of it: the legend and the time filter */
    var bar = el("div", "map-bar");
    if (node.id) { bar.id = node.id + "-bar"; }
    node.parentNode.insertBefore(bar, node.nextSibling);
    var legend = el("ul", "map-legend");
    legend.setAttribute("aria-label", "Legend");
    [["lg-place", "place (size: mentions)"], ["lg-region", "region or country"],
      ["lg-move", "movement, arrow at the destination (width: independent sources)"],
      ["lg-hedged", "hedged or denied movement"], ["lg-vague", "faded: an end known only to a region or country"]
    ].forEach(function (item) { legend.appendChild(el("li", "lg " + item[0], item[1])); });
    bar.appendChild(legend);

    /* time filter over the dated movements */
    var dates = [];
    var undated = 0;
    drawn.forEach(function (d) {
      var v = ((d.f.properties.time || {}).value) || null;
      d.date = v;
      if (v === null) { undated++; } else if (dates.indexOf(v) < 0) { dates.push(v); }
    });
    dates.sort();
    var filter = { lo: 0, hi: dates.length - 1, undated: true };
    function applyFilter() {
      var shown = 0;
      drawn.forEach(function (d) {
        var i = d.date === null ? -1 : dates.indexOf(d.date);
        var on = i < 0 ? filter.undated : (i >= filter.lo && i <= filter.hi);
        if (on) { shown++; if (!moveLayer.hasLayer(d.group)) { moveLayer.addLayer(d.group); } }
        else if (moveLayer.hasLayer(d.group)) { d.group.closePopup(); moveLayer.removeLayer(d.group); }
      });
      return shown;
    }
    if (dates.length > 1) {
      var box = el("div", "map-filter");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Show movements by date");
      box.appendChild(el("span", "filter-title", "Movements by date"));
      var slider = function (name, value) {
        var input = el("input", "filter-" + name);
        input.type = "range";
        input.min = "0";
        input.max = String(dates.length - 1);
        input.step = "1";
        input.value = String(value);
        input.setAttribute("aria-label", name === "from" ? "earliest date shown" : "latest date shown");
        box.appendChild(input);
        return input;
      };
      var from = slider("from", 0), to = slider("to", dates.length - 1);
      var out = el("output", "filter-out");
      out.setAttribute("aria-live", "polite");
      box.appendChild(out);
      var check = null;
      if (undated) {
        var lab = el("label", "filter-undated");
        check = el("input");
        check.type = "checkbox";
        check.checked = true;
        lab.appendChild(check);
        lab.appendChild(document.createTextNode(" undated (" + undated + ")"));
        box.appendChild(lab);
      }
      var update = function (ev) {
        var a = Number(from.value), b = Number(to.value);
        if (a > b) { if (ev && ev.target === from) { to.value = String(a); b = a; } else { from.value = String(b); a = b; } }
        filter.lo = a; filter.hi = b; filter.undated = check ? check.checked : true;
        var shown = applyFilter();
        out.textContent = dateLabel(dates[a]) + " – " + dateLabel(dates[b]) + " · " + shown + " of " +
          plural(drawn.length, "movement");
      };
      from.addEventListener("input", update);
      to.addEventListener("input", update);
      if (check) { check.addEventListener("change", update); }
      update();
      bar.appendChild(box);
    }

    node.addEventListener("focus", function () { map.scrollWheelZoom.enable(); });

    var handle = {
      node: node,
      map: map,
      /* thicken (or restore) the movement of a report finding */
      highlight: function (findingId, on) {
        drawn.forEach(function (d) {
          if (d.f.properties.finding !== findingId) { return; }
          d.line.setStyle({ weight: on ? d.weight + 3 : d.weight });
          d.head.setStyle({ weight: on ? 2 : 1 });
        });
      }
    };
    instances.push(handle);
    return handle;
  }

  function mountAll() {
    var nodes = document.querySelectorAll("[data-map-json]");
    Array.prototype.forEach.call(nodes, function (node) {
      if (node.classList.contains("map-ready")) { return; }
      var data = readJSON(node.getAttribute("data-map-json"));
      var key = node.getAttribute("data-map-key");
      if (data && key) { data = data[key]; }
      try {
        mount(node, data, {
          basemap: readJSON(node.getAttribute("data-basemap-json")),
          basemapUrl: node.getAttribute("data-basemap-url")
        });
      } catch (e) { /* the tables beside the map carry the same data */ }
    });
  }

  window.StorylineMap = {
    ATTRIBUTION: ATTRIBUTION,
    mount: mount,
    get: function (node) {
      for (var i = 0; i < instances.length; i++) { if (instances[i].node === node) { return instances[i]; } }
      return null;
    }
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mountAll); }
  else { mountAll(); }
}());
