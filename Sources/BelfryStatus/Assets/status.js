// Belfry status page: keeps a server-rendered page live. The page is complete without it.
//
// Every few seconds, while the tab is visible, it reads GET /api/v1/status (one request for
// every counter on the page) and writes the values into elements marked data-live="key"
// (an app's values are looked up under the nearest [data-app]). Chart sections marked
// data-refresh-url are re-fetched less often. A 401 means the session ended: polling stops and
// the page says so. Two missed updates mark the page stale.
(function () {
  "use strict";
  var body = document.body;
  var statusURL = body.getAttribute("data-status-url");
  if (!statusURL || !window.fetch) return;
  var every = Number(body.getAttribute("data-refresh-seconds") || "3") * 1000;
  var indicator = document.getElementById("live-indicator");
  var lastOK = Date.now();
  var timer = null;
  var chartTick = 0;
  var stopped = false;

  function setState(state, text) {
    if (!indicator) return;
    indicator.setAttribute("data-state", state);
    indicator.textContent = text;
  }

  function lookup(data, app, key) {
    var scope = app ? (data.apps || {})[app] : data;
    if (!scope) return undefined;
    var parts = key.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (scope === null || typeof scope !== "object") return undefined;
      scope = scope[parts[i]];
    }
    return scope;
  }

  function apply(data) {
    var nodes = document.querySelectorAll("[data-live]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var holder = node.closest("[data-app]");
      var value = lookup(data, holder ? holder.getAttribute("data-app") : null, node.getAttribute("data-live"));
      if (value === undefined || value === null) continue;
      var text = String(value);
      if (node.textContent !== text) node.textContent = text;
    }
    var meters = document.querySelectorAll("[data-live-percent]");
    for (var j = 0; j < meters.length; j++) {
      var m = meters[j];
      var h = m.closest("[data-app]");
      var p = lookup(data, h ? h.getAttribute("data-app") : null, m.getAttribute("data-live-percent"));
      if (typeof p === "number") m.value = Math.min(100, Math.max(0, p));
    }
  }

  function refreshCharts() {
    var sections = document.querySelectorAll("[data-refresh-url]");
    for (var i = 0; i < sections.length; i++) {
      (function (section) {
        fetch(section.getAttribute("data-refresh-url"), { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) section.innerHTML = html; })
          .catch(function () {});
      })(sections[i]);
    }
  }

  function tick() {
    timer = null;
    if (stopped || document.hidden) return;
    fetch(statusURL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) {
          stopped = true;
          setState("signed-out", "Signed out — reload to sign in again");
          return null;
        }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (!data) return;
        apply(data);
        lastOK = Date.now();
        setState("live", "Live · updated " + new Date().toLocaleTimeString());
        chartTick += 1;
        if (chartTick % 5 === 0) refreshCharts();
      })
      .catch(function () {
        if (Date.now() - lastOK > 2 * every) setState("stale", "Stale: no update since " + new Date(lastOK).toLocaleTimeString());
      })
      .then(schedule, schedule);
  }

  function schedule() {
    if (stopped || timer !== null || document.hidden) return;
    timer = window.setTimeout(tick, every);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      if (timer !== null) { window.clearTimeout(timer); timer = null; }
      setState("paused", "Paused while hidden");
    } else if (!stopped) {
      tick();
    }
  });
  setState("live", "Live");
  schedule();
})();
