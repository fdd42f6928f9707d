/* storyline web app: highlight the evidence span named in the address (#start-end).
 * Offsets are code points into the document's cleaned text; the text container's text
 * content equals that text exactly (annotations are flat <mark>/<a> elements around it). */
(function () {
  "use strict";

  function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }

  function cpLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      if (isHigh(s.charCodeAt(i)) && i + 1 < s.length) { i++; }
      n++;
    }
    return n;
  }

  function cpToUnit(s, cp) {
    var i = 0, n = 0;
    while (n < cp && i < s.length) {
      i += (isHigh(s.charCodeAt(i)) && i + 1 < s.length) ? 2 : 1;
      n++;
    }
    return i;
  }

  function clear(container) {
    var spans = container.querySelectorAll("span.target");
    for (var k = 0; k < spans.length; k++) {
      var s = spans[k], parent = s.parentNode;
      while (s.firstChild) { parent.insertBefore(s.firstChild, s); }
      parent.removeChild(s);
      parent.normalize();
    }
  }

  function highlight() {
    var container = document.getElementById("doc-text");
    if (!container) { return; }
    clear(container);
    var m = /^#(\d+)-(\d+)$/.exec(window.location.hash);
    if (!m) { return; }
    var start = parseInt(m[1], 10), end = parseInt(m[2], 10);
    if (!(end > start)) { return; }
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var nodes = [], node;
    while ((node = walker.nextNode())) { nodes.push(node); }
    var pos = 0, first = null;
    for (var k = 0; k < nodes.length; k++) {
      var t = nodes[k], len = cpLength(t.data), a = pos, b = pos + len;
      pos = b;
      if (b <= start || a >= end) { continue; }
      var us = cpToUnit(t.data, Math.max(start, a) - a);
      var ue = cpToUnit(t.data, Math.min(end, b) - a);
      var mid = us > 0 ? t.splitText(us) : t;
      if (ue - us < mid.data.length) { mid.splitText(ue - us); }
      var span = document.createElement("span");
      span.className = "target";
      mid.parentNode.insertBefore(span, mid);
      span.appendChild(mid);
      if (!first) { first = span; }
    }
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  window.addEventListener("hashchange", highlight);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", highlight);
  } else {
    highlight();
  }
})();
