/* storyline situation report: folded sections and the contents bar, evidence reveal, print
 * helpers (the map is storyline/mapview/map.js). Plain JS, no framework; it creates no markup
 * from data and sets no text but its own button labels. */
(function () {
  "use strict";

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
      if (!target) { return; }
      reveal(target);
      if (target.tagName === "DETAILS") { target.open = true; }
      target.scrollIntoView();
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

  /* ------------------------------------------------------------ map (storyline/mapview/map.js) */

  function highlightMovement(findingId, on) {
    var api = window.StorylineMap;
    var handle = api ? api.get(document.getElementById("map")) : null;
    if (handle) { handle.highlight(findingId, on); }
  }

  /* ------------------------------------------------------------ sections */

  /* Open every folded section or list that holds the element, so a link can reach it. */
  function reveal(target) {
    for (var n = target; n; n = n.parentElement) {
      if (n.tagName === "DETAILS" && !n.open && (n !== target || n.classList.contains("sec"))) { n.open = true; }
    }
  }

  function setupSections() {
    document.addEventListener("click", function (ev) {
      var a = ev.target instanceof Element ? ev.target.closest("a[href^='#']") : null;
      if (!a) { return; }
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var target = id ? document.getElementById(id) : null;
      if (target) { reveal(target); }
    }, true);
    var all = document.getElementById("toc-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("click", function () {
        var secs = Array.prototype.slice.call(document.querySelectorAll("details.sec"));
        var open = secs.some(function (d) { return !d.open; });
        secs.forEach(function (d) { d.open = open; });
        all.textContent = open ? "Fold all sections" : "Open all sections";
      });
    }
  }

  function start() {
    setupSections();
    setupFindings();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
