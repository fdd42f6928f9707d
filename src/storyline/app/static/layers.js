/* storyline web app, document page: switch highlight layers on and off. The choice is kept
 * per browser (localStorage "storyline.layers": the list of layers shown) and applied on
 * every document page; without it the page's defaults stay. A file of its own: the CSP
 * allows scripts from this origin only, no inline code. */
(function () {
  "use strict";
  var KEY = "storyline.layers";

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#layers input[name="layer"]'));
  }

  function load() {
    try {
      var raw = window.localStorage.getItem(KEY);
      var shown = raw ? JSON.parse(raw) : null;
      return Array.isArray(shown) ? shown : null;
    } catch (e) { return null; }  // storage disabled, or a damaged value: the defaults stay
  }

  function save() {
    var shown = boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    try { window.localStorage.setItem(KEY, JSON.stringify(shown)); } catch (e) { /* not kept: fine */ }
  }

  function apply() {
    var text = document.getElementById("doc-text");
    if (!text) { return; }
    boxes().forEach(function (b) { text.classList.toggle("hide-" + b.value, !b.checked); });
  }

  function setAll(on) {
    boxes().forEach(function (b) { b.checked = on; });
    apply();
    save();
  }

  function init() {
    var list = boxes();
    if (!list.length) { return; }
    var shown = load();
    if (shown) { list.forEach(function (b) { b.checked = shown.indexOf(b.value) >= 0; }); }
    apply();
    list.forEach(function (b) { b.addEventListener("change", function () { apply(); save(); }); });
    var all = document.getElementById("layers-all"), none = document.getElementById("layers-none");
    if (all) { all.addEventListener("click", function () { setAll(true); }); }
    if (none) { none.addEventListener("click", function () { setAll(false); }); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
