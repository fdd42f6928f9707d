/* storyline web app, /api/openapi: send an endpoint's form to this server and show the
 * answer (status and JSON) as text under it. Path parameters ({id}) are filled in from the
 * form; empty query parameters are left out. Same-origin only: the CSP's connect-src is 'self'. */
(function () {
  "use strict";

  function url(form) {
    var path = form.getAttribute("data-path"), query = [];
    var inputs = form.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i], value = input.value;
      if (input.getAttribute("data-in") === "path") {
        path = path.replace("{" + input.name + "}", encodeURIComponent(value));
      } else if (value !== "") {
        query.push(encodeURIComponent(input.name) + "=" + encodeURIComponent(value));
      }
    }
    return path + (query.length ? "?" + query.join("&") : "");
  }

  function show(pre, text) { pre.textContent = text; }

  function send(event) {
    event.preventDefault();
    var form = event.currentTarget, pre = form.nextElementSibling, address = url(form);
    show(pre, "GET " + address + " …");
    fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (body) {
          var shown = body;
          try { shown = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* not JSON: as sent */ }
          if (shown.length > 20000) { shown = shown.slice(0, 20000) + "\n… (" + body.length + " characters in all)"; }
          show(pre, "GET " + address + " → " + r.status + "\n\n" + shown);
        });
      })
      .catch(function (err) { show(pre, "GET " + address + " failed: " + err); });
  }

  function init() {
    var forms = document.querySelectorAll("form.try");
    for (var i = 0; i < forms.length; i++) { forms[i].addEventListener("submit", send); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
