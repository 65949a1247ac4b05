/* ecosystem-graph page: builds the vis-network graph and the side panel from #eco-graph-data.
 * Every user string reaches the DOM through textContent / innerText only (never innerHTML), and vis-network
 * draws labels on the canvas and puts string tooltips in with innerText. */
(function () {
  "use strict";
  var started0 = performance.now();
  var root = document.getElementById("eco-graph");
  var data = JSON.parse(document.getElementById("eco-graph-data").textContent);
  var DIM = 0.13;
  var BASE_EDGE_OPACITY = data.large ? 0.35 : 0.75;
  var HL = data.highlight_color;

  // Every lookup keyed by a model's ids is an object without a prototype: a node may well be called
  // "constructor" or "toString", and in a plain {} that key already holds Object.prototype's function.
  function idMap() { return Object.create(null); }

  // A timeline page (several snapshots of one ecosystem) shows one period at a time: TL.nodes[id][i] and
  // TL.edges[id][i] hold what period i shows of each node and relationship, 0 when it is not in that period.
  var TL = data.timeline || null;
  var period = TL ? TL.start : -1;
  function absentNode(id) { return TL !== null && !TL.nodes[id][period]; }
  function absentEdge(id) { return TL !== null && !TL.edges[id][period]; }

  var kindStyle = idMap();
  data.kinds.forEach(function (k) { kindStyle[k.kind] = k; });
  var typeStyle = idMap();
  data.types.forEach(function (t) { typeStyle[t.type] = t; });

  function nodeColor(kind, highlighted) {
    var c = kindStyle[kind] ? kindStyle[kind].color : "#888888";
    var border = highlighted ? HL : "#ffffff";
    return {background: c, border: border, highlight: {background: c, border: "#1c2833"},
            hover: {background: c, border: "#1c2833"}};
  }

  function edgeColor(type, opacity) {
    var c = typeStyle[type] ? typeStyle[type].color : "#888888";
    return {color: c, highlight: "#1c2833", hover: "#1c2833", opacity: opacity};
  }

  var nodeById = idMap();
  var nodeItems = data.nodes.map(function (n) {
    nodeById[n.id] = n;
    return {
      id: n.id, label: n.label, title: n.title, kind: n.kind, x: n.x, y: n.y, size: n.size,
      shape: kindStyle[n.kind] ? kindStyle[n.kind].shape : "dot", color: nodeColor(n.kind, false),
      borderWidth: n.group ? 3 : 1.5, borderWidthSelected: 3, opacity: 1, hl: false, hidden: absentNode(n.id),
      shapeProperties: n.group ? {borderDashes: [4, 3]} : {}
    };
  });
  var edgeById = idMap();
  var edgeItems = data.edges.map(function (e) {
    edgeById[e.id] = e;
    var style = typeStyle[e.type] || {};
    var item = {
      id: e.id, from: e.from, to: e.to, type: e.type, title: e.title, width: e.width, baseWidth: e.width,
      color: edgeColor(e.type, BASE_EDGE_OPACITY), dashes: style.dashes || false, hl: false, hidden: absentEdge(e.id)
    };
    if (data.curves) {
      var j = e.curve || 0;
      item.smooth = {enabled: true, type: j % 2 ? "curvedCCW" : "curvedCW", roundness: 0.08 + 0.12 * Math.ceil(j / 2)};
    }
    return item;
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);

  var large = data.large;
  var options = {
    autoResize: true,
    nodes: {font: {size: 14, face: "system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif", color: "#1c2833",
                   strokeWidth: 3, strokeColor: "#ffffff"},
            scaling: {label: {enabled: false}}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.45}}, selectionWidth: 2, hoverWidth: 1,
            smooth: data.curves ? {enabled: true, type: "curvedCW", roundness: 0.1} : false},
    physics: data.physics ? {
      enabled: true, solver: "barnesHut",
      barnesHut: {gravitationalConstant: -6000, springLength: 140, springConstant: 0.03, avoidOverlap: 0.2},
      stabilization: {enabled: true, iterations: 250, fit: true}
    } : {enabled: false},
    interaction: {hover: !large, tooltipDelay: 250, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
                  navigationButtons: false, keyboard: false, multiselect: false},
    layout: {improvedLayout: false, randomSeed: 1}
  };
  if (large) {
    options.nodes.font.size = 12;
  } else if (data.nodes.length <= 60) {
    options.nodes.font.size = 17;
  }
  var container = document.getElementById("eco-canvas");
  var dataBuiltAt = performance.now();
  var network = new vis.Network(container, {}, options);
  // vis-network keeps some of its own id lookups in plain objects (clustered nodes and edges, hovered
  // items), so a node called "toString" would count as clustered and never be drawn. Give those lookups
  // no prototype, also each time vis-network replaces them, and only then hand it the data.
  function nullPrototypeProperty(owner, name) {
    var value = Object.assign(idMap(), owner[name]);
    Object.defineProperty(owner, name, {configurable: true, enumerable: true,
      get: function () { return value; },
      set: function (v) { value = Object.assign(idMap(), v); }});
  }
  nullPrototypeProperty(network.clustering, "clusteredNodes");
  nullPrototypeProperty(network.clustering, "clusteredEdges");
  nullPrototypeProperty(network.selectionHandler.hoverObj, "nodes");
  nullPrototypeProperty(network.selectionHandler.hoverObj, "edges");
  network.setData({nodes: nodes, edges: edges});
  var constructedAt = performance.now();

  // Faint bands behind the ecosystem layout's rings, so that the structure reads at a glance.
  if (data.rings && data.rings.length) {
    network.on("beforeDrawing", function (ctx) {
      ctx.save();
      data.rings.forEach(function (ring, i) {
        var mid = (ring.inner + ring.outer) / 2;
        ctx.beginPath();
        ctx.arc(0, 0, mid, 0, 2 * Math.PI);
        ctx.lineWidth = ring.outer - ring.inner + 90;
        ctx.strokeStyle = i % 2 ? "rgba(40, 116, 166, 0.045)" : "rgba(230, 126, 34, 0.05)";
        ctx.stroke();
        ctx.font = "600 " + (data.large ? 40 : 15) + "px system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
        ctx.fillStyle = "rgba(93, 109, 126, 0.55)";
        ctx.textAlign = "center";
        ctx.fillText(ring.label.toUpperCase(), 0, -(ring.outer + 45 + (data.large ? 20 : 0)));
      });
      ctx.restore();
    });
  }

  // ------------------------------------------------------------------------------------ emphasis
  var state = {highlight: -1, focus: null, focusSet: null};
  var hlNodes = idMap(), hlEdges = idMap();

  function applyEmphasis() {
    var active = null, activeEdges = null;
    if (state.focusSet) {
      active = state.focusSet.nodes;
      activeEdges = state.focusSet.edges;
    } else if (state.highlight >= 0) {
      active = hlNodes;
      activeEdges = hlEdges;
    }
    var nodeUpdates = [];
    nodes.forEach(function (n) {
      var isHl = state.highlight >= 0 && hlNodes[n.id] === true;
      var opacity = active === null || active[n.id] === true ? 1 : DIM;
      if (n.opacity !== opacity || n.hl !== isHl) {
        nodeUpdates.push({id: n.id, opacity: opacity, hl: isHl, color: nodeColor(n.kind, isHl),
                          borderWidth: isHl ? 5 : (nodeById[n.id].group ? 3 : 1.5)});
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var isHl = state.highlight >= 0 && hlEdges[e.id] === true;
      var on = activeEdges === null || activeEdges[e.id] === true;
      var opacity = on ? (activeEdges === null ? BASE_EDGE_OPACITY : 1) : 0.06;
      if (e.color.opacity !== opacity || e.hl !== isHl) {
        var col = edgeColor(e.type, opacity);
        if (isHl && !state.focusSet) col.color = HL;
        edgeUpdates.push({id: e.id, color: col, hl: isHl, width: isHl ? Math.max(e.baseWidth, 3) * 1.6 : e.baseWidth});
      }
    });
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }

  function showHighlight(index, fitView) {
    hlNodes = idMap();
    hlEdges = idMap();
    state.highlight = index;
    if (index >= 0 && data.highlights[index]) {
      data.highlights[index].nodes.forEach(function (id) { hlNodes[id] = true; });
      data.highlights[index].edges.forEach(function (id) { hlEdges[id] = true; });
    } else {
      state.highlight = -1;
    }
    var buttons = root.querySelectorAll(".eco-hl-button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].classList.toggle("eco-active", Number(buttons[i].getAttribute("data-index")) === state.highlight);
    }
    applyEmphasis();
    if (fitView) fitHighlight(true);
  }

  // Fit the highlighted nodes (all nodes for "No highlight") into view, whatever a search zoomed in on.
  function fitHighlight(animate) {
    var ids = [];
    if (state.highlight >= 0) {
      nodes.forEach(function (n) { if (hlNodes[n.id] === true && !n.hidden) ids.push(n.id); });
    }
    var how = {maxZoomLevel: 1.5, animation: animate ? {duration: 350, easingFunction: "easeInOutQuad"} : false};
    if (ids.length) how.nodes = ids;
    network.fit(how);
  }

  function focusOn(id) {
    if (id === null || !nodeById[id]) {
      state.focus = null;
      state.focusSet = null;
    } else {
      var set = {nodes: idMap(), edges: idMap()};
      set.nodes[id] = true;
      // Neighbours from the edges (vis-network's getConnectedNodes skips ids such as "toString").
      network.getConnectedEdges(id).forEach(function (eid) {
        if (absentEdge(eid)) return;  // a relationship of another period
        set.edges[eid] = true;
        var e = edgeById[eid];
        if (e) { set.nodes[e.from] = true; set.nodes[e.to] = true; }
      });
      state.focus = id;
      state.focusSet = set;
    }
    applyEmphasis();
  }

  // ------------------------------------------------------------------------------------ tooltips
  // vis-network hides a tooltip only on the next mouse move over the canvas: hide it as soon as the pointer
  // leaves its node or edge, leaves the canvas, or the window loses focus.
  function hideTooltip() {
    var ih = network.interactionHandler;
    if (!ih) return;
    if (ih.popupTimer) { clearTimeout(ih.popupTimer); ih.popupTimer = undefined; }
    if (ih.popup) ih.popup.hide();
    ih.popupObj = undefined;
  }
  // On blur, only the tooltip of the item left goes: the pending tooltip of the item entered stays.
  function hideTooltipOf(id) {
    var ih = network.interactionHandler;
    if (ih && ih.popup && !ih.popup.hidden && ih.popup.popupTargetId === id) {
      ih.popup.hide();
      ih.popupObj = undefined;
    }
  }
  network.on("blurNode", function (params) { hideTooltipOf(params.node); });
  network.on("blurEdge", function (params) { hideTooltipOf(params.edge); });
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);
  container.addEventListener("mouseleave", hideTooltip);
  container.addEventListener("mouseout", function (ev) {
    if (!ev.relatedTarget || !container.contains(ev.relatedTarget)) hideTooltip();
  });
  window.addEventListener("blur", hideTooltip);

  // ------------------------------------------------------------------------------------ details panel
  var details = document.getElementById("eco-details");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clearDetails(message) {
    while (details.firstChild) details.removeChild(details.firstChild);
    if (message) details.appendChild(el("div", "eco-muted", message));
  }

  function neighbourButton(id, prefix) {
    var n = nodeById[id];
    var b = el("button", "eco-nb", prefix + (n ? n.name : id));
    b.type = "button";
    b.addEventListener("click", function () { selectNode(id, true); });
    return b;
  }

  function showNodeDetails(id) {
    var n = nodeById[id];
    clearDetails();
    if (!n) return;
    var head = el("div", "eco-details-head");
    var sw = el("span", "eco-swatch");
    sw.style.background = kindStyle[n.kind] ? kindStyle[n.kind].color : "#888";
    head.appendChild(sw);
    head.appendChild(el("span", "eco-details-name", n.name));
    details.appendChild(head);
    var dl = el("dl", "eco-dl");
    n.d.forEach(function (row) {
      dl.appendChild(el("dt", null, row[0]));
      dl.appendChild(el("dd", null, row[1]));
    });
    details.appendChild(dl);
    var out = [], inc = [];
    network.getConnectedEdges(id).forEach(function (eid) {
      var e = edgeById[eid];
      if (!e || absentEdge(eid)) return;
      if (e.from === id) out.push(e); else inc.push(e);
    });
    [["Outgoing", out, "to"], ["Incoming", inc, "from"]].forEach(function (group) {
      if (!group[1].length) return;
      details.appendChild(el("div", "eco-h", group[0] + " (" + group[1].length.toLocaleString("en") + ")"));
      var list = el("div", "eco-nb-list");
      group[1].slice(0, 40).forEach(function (e) {
        list.appendChild(neighbourButton(e[group[2]], e.type + " \u00b7 "));
      });
      if (group[1].length > 40) list.appendChild(el("div", "eco-muted", "and " + (group[1].length - 40).toLocaleString("en") + " more"));
      details.appendChild(list);
    });
  }

  function showEdgeDetails(eid) {
    var e = edgeById[eid];
    clearDetails();
    if (!e) return;
    var lines = e.title.split("\n");
    details.appendChild(el("div", "eco-details-name", lines[0]));
    var pre = el("div", "eco-edge-lines");
    lines.slice(1).forEach(function (l) { pre.appendChild(el("div", null, l)); });
    details.appendChild(pre);
  }

  function selectNode(id, move) {
    if (!nodeById[id] || absentNode(id)) return false;
    var item = nodes.get(id);
    if (item && item.hidden) {
      setKindVisible(item.kind, true);
    }
    network.selectNodes([id]);
    focusOn(id);
    showNodeDetails(id);
    if (move) network.focus(id, {scale: Math.max(network.getScale(), 0.8), animation: {duration: 400}});
    return true;
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      selectNode(params.nodes[0], false);
    } else if (params.edges.length) {
      focusOn(null);
      showEdgeDetails(params.edges[0]);
    } else {
      focusOn(null);
      clearDetails("Click a node to see its details and neighbourhood.");
    }
  });

  // ------------------------------------------------------------------------------------ filters
  var hiddenKinds = idMap(), hiddenTypes = idMap();

  function setKindVisible(kind, visible) {
    hiddenKinds[kind] = !visible;
    var box = root.querySelector('input[data-kind="' + kind.replace(/[^a-z_]/g, "") + '"]');
    if (box) box.checked = visible;
    var ups = [];
    nodes.forEach(function (n) {
      var hide = !visible || absentNode(n.id);
      if (n.kind === kind && n.hidden !== hide) ups.push({id: n.id, hidden: hide});
    });
    if (ups.length) nodes.update(ups);
  }

  function setTypeVisible(type, visible) {
    hiddenTypes[type] = !visible;
    var box = root.querySelector('input[data-type="' + type.replace(/[^A-Z_]/g, "") + '"]');
    if (box) box.checked = visible;
    var ups = [];
    edges.forEach(function (e) {
      var hide = !visible || absentEdge(e.id);
      if (e.type === type && e.hidden !== hide) ups.push({id: e.id, hidden: hide});
    });
    if (ups.length) edges.update(ups);
  }

  Array.prototype.forEach.call(root.querySelectorAll("input[data-kind]"), function (box) {
    box.addEventListener("change", function () { setKindVisible(box.getAttribute("data-kind"), box.checked); });
  });
  Array.prototype.forEach.call(root.querySelectorAll("input[data-type]"), function (box) {
    box.addEventListener("change", function () { setTypeVisible(box.getAttribute("data-type"), box.checked); });
  });
  Array.prototype.forEach.call(root.querySelectorAll(".eco-hl-button"), function (b) {
    b.addEventListener("click", function () {
      focusOn(null);
      showHighlight(Number(b.getAttribute("data-index")), true);
    });
  });
  var fit = document.getElementById("eco-fit");
  if (fit) fit.addEventListener("click", function () { network.fit({animation: {duration: 400}}); });

  // ------------------------------------------------------------------------------------ search
  var search = document.getElementById("eco-search");
  var results = document.getElementById("eco-search-results");
  var searchIndex = data.nodes.map(function (n) { return [n.id, (n.name + "\u0000" + n.id).toLowerCase()]; });

  function findNodes(text, limit) {
    var q = String(text).trim().toLowerCase();
    var found = [];
    if (!q) return found;
    for (var i = 0; i < searchIndex.length && found.length < (limit || 12); i++) {
      if (searchIndex[i][1].indexOf(q) !== -1 && !absentNode(searchIndex[i][0])) found.push(searchIndex[i][0]);
    }
    return found;
  }

  function showResults() {
    while (results.firstChild) results.removeChild(results.firstChild);
    var ids = findNodes(search.value, 12);
    if (search.value.trim() && !ids.length) results.appendChild(el("div", "eco-muted", "No node matches."));
    ids.forEach(function (id) { results.appendChild(neighbourButton(id, "")); });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var ids = findNodes(search.value, 1);
      if (ids.length) selectNode(ids[0], true);
    }
  });

  // ------------------------------------------------------------------------------------ timeline
  var slider = document.getElementById("eco-period");
  var periodLabel = document.getElementById("eco-period-label");
  var periodCounts = document.getElementById("eco-period-counts");

  // One update of a vis DataSet for period i: an item absent then is hidden, one present gets look(item, its
  // entry in that period).
  function showPeriod(dataset, byPeriod, i, look) {
    var updates = [];
    dataset.forEach(function (item) {
      var p = byPeriod[item.id][i];
      if (p) updates.push(look(item, p));
      else if (!item.hidden) updates.push({id: item.id, hidden: true});
    });
    if (updates.length) dataset.update(updates);
  }

  function setPeriod(index) {
    if (TL === null) return false;
    var i = Math.round(Number(index));
    if (!isFinite(i) || i < 0 || i >= TL.labels.length) return false;
    period = i;
    hideTooltip();
    var kindCount = idMap(), typeCount = idMap();
    showPeriod(nodes, TL.nodes, i, function (n, p) {
      kindCount[p.k] = (kindCount[p.k] || 0) + 1;
      var src = nodeById[n.id];
      src.name = p.n; src.label = p.l; src.kind = p.k; src.title = p.t; src.d = p.d; src.size = p.s;
      return {id: n.id, hidden: hiddenKinds[p.k] === true, label: p.l, title: p.t, kind: p.k, size: p.s,
              shape: kindStyle[p.k] ? kindStyle[p.k].shape : "dot", color: nodeColor(p.k, n.hl === true)};
    });
    showPeriod(edges, TL.edges, i, function (e, p) {
      typeCount[e.type] = (typeCount[e.type] || 0) + 1;
      edgeById[e.id].title = p.t;
      return {id: e.id, hidden: hiddenTypes[e.type] === true, title: p.t, width: e.hl ? Math.max(p.w, 3) * 1.6 : p.w,
              baseWidth: p.w};
    });
    searchIndex = data.nodes.map(function (n) { return [n.id, (nodeById[n.id].name + "\u0000" + n.id).toLowerCase()]; });
    if (search.value.trim()) showResults();
    // The panel follows the period: counts per kind and type, and the selected node's figures (or none).
    Array.prototype.forEach.call(root.querySelectorAll("[data-count-kind]"), function (s) {
      s.textContent = (kindCount[s.getAttribute("data-count-kind")] || 0).toLocaleString("en");
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-count-type]"), function (s) {
      s.textContent = (typeCount[s.getAttribute("data-count-type")] || 0).toLocaleString("en");
    });
    if (state.focus !== null && absentNode(state.focus)) {
      network.unselectAll();
      focusOn(null);
      clearDetails("Not in " + TL.labels[i] + ". Click a node to see its details and neighbourhood.");
    } else if (state.focus !== null) {
      showNodeDetails(state.focus);
      focusOn(state.focus);
    } else {
      applyEmphasis();
    }
    if (slider) {
      slider.value = String(i);
      slider.setAttribute("aria-valuetext", TL.labels[i]);
    }
    if (periodLabel) periodLabel.textContent = TL.labels[i];
    if (periodCounts) {
      var c = TL.counts[i];
      periodCounts.textContent = c.nodes.toLocaleString("en") + " nodes, " + c.relationships.toLocaleString("en") +
        " relationships";
    }
    Array.prototype.forEach.call(root.querySelectorAll(".eco-period-tick"), function (b) {
      b.classList.toggle("eco-active", Number(b.getAttribute("data-period")) === i);
    });
    root.setAttribute("data-period", String(i));
    return true;
  }

  if (TL !== null) {
    if (slider) slider.addEventListener("input", function () { setPeriod(slider.value); });
    Array.prototype.forEach.call(root.querySelectorAll(".eco-period-tick"), function (b) {
      b.addEventListener("click", function () { setPeriod(b.getAttribute("data-period")); });
    });
    // Left and right arrows step through the periods (Home and End: first and last), unless the keys are
    // typing somewhere or already move the slider itself.
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.altKey || ev.ctrlKey || ev.metaKey || t === slider) return;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      var to = {ArrowLeft: period - 1, ArrowRight: period + 1, Home: 0, End: TL.labels.length - 1}[ev.key];
      if (to !== undefined && setPeriod(to)) ev.preventDefault();
    });
    setPeriod(period);
  }

  // ------------------------------------------------------------------------------------ ready
  var loading = document.getElementById("eco-loading");
  var started = performance.now();
  network.once("afterDrawing", function () {
    api.firstDrawMs = performance.now() - started;
    api.firstDrawAt = performance.now();
    api.ready = true;
    if (loading) loading.style.display = "none";
    root.setAttribute("data-ready", "1");
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      api.stabilized = true;
    });
  }

  var api = {
    network: network, nodes: nodes, edges: edges, data: data, ready: false, firstDrawMs: null, firstDrawAt: null,
    timings: {scriptStart: started0, dataBuilt: dataBuiltAt, constructed: constructedAt}, stabilized: !data.physics,
    selectNode: selectNode, focusOn: focusOn, showHighlight: showHighlight, fitHighlight: fitHighlight,
    hideTooltip: hideTooltip, findNodes: findNodes,
    setKindVisible: setKindVisible, setTypeVisible: setTypeVisible,
    highlightedNodes: function () { return nodes.get({filter: function (n) { return n.hl === true; }}).map(function (n) { return n.id; }); },
    hiddenNodes: function () { return nodes.get({filter: function (n) { return n.hidden === true; }}).map(function (n) { return n.id; }); },
    nodeKind: function (id) { return nodeById[id] ? nodeById[id].kind : null; },
    setPeriod: setPeriod,
    period: function () { return period; },
    visibleNodes: function () { return nodes.get({filter: function (n) { return n.hidden !== true; }}).map(function (n) { return n.id; }); },
    visibleEdges: function () { return edges.get({filter: function (e) { return e.hidden !== true; }}).map(function (e) { return e.id; }); }
  };
  // Printing hides the side panel: draw the graph again at the wider size, whole.
  function refitForMedia() {
    network.setSize("100%", "100%");
    network.redraw();
    network.fit();
  }
  if (window.matchMedia) {
    var printQuery = window.matchMedia("print");
    if (printQuery.addEventListener) printQuery.addEventListener("change", refitForMedia);
  }
  window.addEventListener("beforeprint", refitForMedia);
  window.addEventListener("afterprint", refitForMedia);
  window.ecoNetwork = network;
  window.ecoGraph = api;
  // Open with the first highlight the user asked for; highlights only offered (auto keystones) wait for a click.
  for (var h = 0; h < data.highlights.length; h++) {
    if (!data.highlights[h].offered) { showHighlight(h, false); break; }
  }
  // Its nodes are in view on opening: the first view fits the whole graph, so the highlight reads in context.
})();
