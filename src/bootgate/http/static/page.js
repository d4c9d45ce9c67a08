/* bootgate "initializing" page: follow the status stream, redraw, reload when ready.
   Plain ES5, no dependencies. Text goes in through textContent only, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("bootgate");
  if (!root || !window.EventSource || !window.JSON) {
    return;
  }
  var refresh = parseInt(root.getAttribute("data-refresh"), 10) || 5;
  var source = new EventSource(root.getAttribute("data-stream"));
  var fallback = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function bar(node) {
    if (node.phase === "pending") {
      return null;
    }
    var progress = document.createElement("progress");
    if (node.phase === "ready" || node.phase === "degraded") {
      progress.max = 100;
      progress.value = 100;
    } else if (node.progress && node.progress.percent !== null) {
      progress.max = 100;
      progress.value = node.progress.percent;
    }
    return progress;
  }

  function render(state) {
    var names = Object.keys(state.nodes);
    var done = 0;
    var rows = document.createDocumentFragment();
    names.forEach(function (name) {
      var node = state.nodes[name];
      if (node.phase === "ready" || node.phase === "degraded") {
        done += 1;
      }
      var row = el("tr", null, "phase-" + node.phase);
      var head = el("th", name);
      head.scope = "row";
      row.appendChild(head);
      row.appendChild(el("td", node.phase, "phase"));
      var cell = el("td", null, "bar");
      var progress = bar(node);
      if (progress) {
        cell.appendChild(progress);
      }
      row.appendChild(cell);
      row.appendChild(el("td", node.detail || "", "detail"));
      rows.appendChild(row);
    });
    var body = document.getElementById("bootgate-nodes");
    body.textContent = "";
    body.appendChild(rows);

    var blocking = document.getElementById("bootgate-blocking");
    blocking.textContent = "";
    state.blocking.forEach(function (chain) {
      blocking.appendChild(el("li", chain));
    });
    document.getElementById("bootgate-summary").textContent =
      done + " of " + names.length + " ready. This page reloads itself when the service is ready.";
    var headline = state.stopping ? "is shutting down" : state.failed ? "cannot start" : "is starting";
    document.getElementById("bootgate-headline").textContent = headline;
    document.title = state.service + " " + headline;
  }

  source.addEventListener("status", function (event) {
    var state = JSON.parse(event.data).bootgate;
    if (state.ready) {
      source.close();
      window.location.reload();
      return;
    }
    render(state);
  });

  source.onerror = function () {
    // The stream ended (the service restarted or is shutting down): fall back to reloading.
    if (source.readyState === EventSource.CLOSED && fallback === null) {
      fallback = window.setTimeout(function () { window.location.reload(); }, refresh * 1000);
    }
  };
})();
