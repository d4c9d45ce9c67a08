/* bootgate dashboard: the graph, the timeline and the node table, redrawn from the status
   stream. Plain ES5, no dependencies; text goes in through textContent only, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("bootgate-dashboard");
  if (!root || !window.EventSource || !window.JSON) {
    return;
  }
  var SVG = "http://www.w3.org/2000/svg";
  var BOX_W = 150, BOX_H = 34, GAP_X = 60, GAP_Y = 14, ROW_H = 22, LABEL_W = 150;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  /* Layered layout: a node's column is the length of its longest requirement chain. */
  function columns(nodes) {
    var depth = {};
    function of(name) {
      if (depth[name] === undefined) {
        depth[name] = 0;
        nodes[name].requires.forEach(function (req) {
          if (nodes[req]) {
            depth[name] = Math.max(depth[name], of(req) + 1);
          }
        });
      }
      return depth[name];
    }
    Object.keys(nodes).forEach(of);
    return depth;
  }

  function drawGraph(state) {
    var graph = document.getElementById("bootgate-graph");
    clear(graph);
    var nodes = state.nodes, depth = columns(nodes), rows = {}, where = {};
    Object.keys(nodes).forEach(function (name) {
      var col = depth[name];
      rows[col] = (rows[col] || 0) + 1;
      where[name] = {x: col * (BOX_W + GAP_X) + 4, y: (rows[col] - 1) * (BOX_H + GAP_Y) + 4};
    });
    var width = 0, height = 0;
    Object.keys(where).forEach(function (name) {
      width = Math.max(width, where[name].x + BOX_W + 4);
      height = Math.max(height, where[name].y + BOX_H + 4);
    });
    graph.setAttribute("viewBox", "0 0 " + width + " " + height);
    graph.setAttribute("width", width);
    graph.setAttribute("height", height);
    Object.keys(nodes).forEach(function (name) {
      nodes[name].requires.forEach(function (req) {
        if (!where[req]) {
          return;
        }
        graph.appendChild(svg("line", {
          "class": "edge",
          x1: where[req].x + BOX_W, y1: where[req].y + BOX_H / 2,
          x2: where[name].x, y2: where[name].y + BOX_H / 2
        }));
      });
    });
    Object.keys(nodes).forEach(function (name) {
      var node = nodes[name], at = where[name];
      var group = svg("g", {"class": "node phase-" + node.phase});
      group.appendChild(svg("rect", {x: at.x, y: at.y, width: BOX_W, height: BOX_H, rx: 5}));
      group.appendChild(svg("text", {x: at.x + 8, y: at.y + 15}, name));
      group.appendChild(svg("text", {"class": "sub", x: at.x + 8, y: at.y + 28}, node.phase));
      group.appendChild(svg("title", {}, name + ": " + (node.detail || node.phase)));
      graph.appendChild(group);
    });
  }

  function drawTimeline(state) {
    var chart = document.getElementById("bootgate-timeline");
    clear(chart);
    var names = Object.keys(state.nodes);
    var span = Math.max(state.elapsed_s, 0.001), width = 640;
    chart.setAttribute("viewBox", "0 0 " + (LABEL_W + width + 60) + " " + (names.length * ROW_H + 4));
    chart.setAttribute("height", names.length * ROW_H + 4);
    names.forEach(function (name, i) {
      var node = state.nodes[name], y = i * ROW_H + 2;
      chart.appendChild(svg("text", {x: 0, y: y + 14}, name));
      if (node.started_s === null) {
        return;
      }
      var end = node.ready_s !== null ? node.ready_s : state.elapsed_s;
      var x = LABEL_W + (node.started_s / span) * width;
      var w = Math.max(((end - node.started_s) / span) * width, 2);
      chart.appendChild(svg("rect", {"class": "bar phase-" + node.phase, x: x, y: y + 3, width: w,
                                     height: ROW_H - 6, rx: 3}));
      var label = (end - node.started_s).toFixed(2) + " s";
      chart.appendChild(svg("text", {"class": "sub", x: x + w + 4, y: y + 14}, label));
    });
  }

  function drawTable(state) {
    var body = document.getElementById("bootgate-details");
    clear(body);
    Object.keys(state.nodes).forEach(function (name) {
      var node = state.nodes[name], row = document.createElement("tr");
      row.className = "phase-" + node.phase;
      var cells = [name, node.kind, node.requires.join(", "), node.phase, String(node.attempts),
                   node.duration_s === null ? "" : node.duration_s.toFixed(3) + " s",
                   node.phase === "ready" ? "" : (node.detail || ""),
                   node.reason || node.error || ""];
      cells.forEach(function (text, i) {
        var cell = document.createElement(i === 0 ? "th" : "td");
        cell.textContent = text;
        if (i === 3) {
          cell.className = "phase";
        } else if (i >= 6) {
          cell.className = "detail";
        }
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    var blocking = document.getElementById("bootgate-blocking");
    clear(blocking);
    state.blocking.forEach(function (chain) {
      var item = document.createElement("li");
      item.textContent = chain;
      blocking.appendChild(item);
    });
    var chain = document.getElementById("bootgate-chain");
    clear(chain);
    (state.critical_chain || []).forEach(function (link) {
      var item = document.createElement("li");
      item.textContent = link.name + ": ready at +" + link.ready_s.toFixed(3) + " s" +
        (link.took_s === null ? "" : ", took " + link.took_s.toFixed(3) + " s");
      chain.appendChild(item);
    });
    var warnings = document.getElementById("bootgate-warnings");
    clear(warnings);
    Object.keys(state.nodes).forEach(function (name) {
      (state.nodes[name].warnings || []).forEach(function (warning) {
        var item = document.createElement("li"), when = warning.current ? "current" : "past";
        item.className = "warning-" + when;
        item.textContent = name + ": " + warning.message + " (" + when + ")";
        warnings.appendChild(item);
      });
    });
    var label = state.stopping ? "stopping" : state.ready ? "ready" : state.failed ? "failed" : "starting";
    var badge = document.getElementById("bootgate-state");
    badge.textContent = label;
    badge.className = "state-" + label;
    document.getElementById("bootgate-clock").textContent =
      state.elapsed_s.toFixed(1) + " s since the boot began (change " + state.seq + ")";
  }

  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("status", function (event) {
    var state = JSON.parse(event.data).bootgate;
    drawGraph(state);
    drawTimeline(state);
    drawTable(state);
  });
})();
