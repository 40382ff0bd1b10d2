// The Entente explorer: draws what the JSON API answers (docs/explorer.md).
// No build step, no network beyond this server.
'use strict';
(function () {
  // Fills and shapes by entity type, as the SVG export draws them
  // (export/dot.go's typeColours).
  const TYPE_COLOURS = {
    Country: '#cfe2ff', Bloc: '#b6d7a8', Organisation: '#ffe599', Group: '#d9d2e9',
    Person: '#f4cccc', Sector: '#fce5cd', Agreement: '#d0e0e3', Forum: '#ead1dc',
    ProposedFormat: '#ffffff', Policy: '#eeeeee', Region: '#d9ead3', Event: '#fff2cc',
  };
  // Other types (a data set's own, such as /film/film) get colours of
  // their own, the same on every page.
  const PALETTE = ['#cfe2ff', '#b6d7a8', '#ffe599', '#d9d2e9', '#f4cccc', '#fce5cd', '#d0e0e3', '#ead1dc', '#d9ead3', '#fff2cc', '#c9daf8', '#e6b8af'];
  const typeColour = (t) => {
    if (!t) return '#ffffff';
    if (TYPE_COLOURS[t]) return TYPE_COLOURS[t];
    let h = 0;
    for (const c of t) h = (h * 31 + c.codePointAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  };
  const STATUSES = ['existing', 'at_risk', 'potential', 'proposed', 'lapsed'];
  const DRAW_STEP = 500; // nodes drawn before asking the user for more
  const NOT_QUALIFIERS = new Set(['from', 'to', 'rel', 'from_name', 'to_name', 'reverse', 'evidence', 'also', 'statement']);

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v);
    }
    for (const k of kids.flat()) {
      if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    }
    return e;
  };

  // ---- state ----
  const state = {
    ops: [],          // what made the view, replayed from the URL: {op, ...}
    selected: null,   // id of the selected node
    pathFrom: null,   // id of a path's first end, while picking the second
    paths: [],        // the last path answer: [{nodes:[ids], edges:[keys]}]
    pathIndex: 0,
    hidden: new Set(), // filters: "type:X", "status:X", "kind:X"
    drawCap: DRAW_STEP,
    pending: [],      // answers' elements not drawn for the cap
    info: null,
  };

  // A network answer's outlines (markNodes), as the exports' (export/marks.go).
  const GROUP_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const RANK_COLOURS = ['#67000d', '#a50f15', '#cb181d', '#ef3b2c', '#fb6a4a', '#fc9272'];
  const cy = cytoscape({
    container: $('cy'),
    pixelRatio: 1, // crisp enough, and four times less to paint on a dense screen
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: 'node', style: {
        'shape': 'round-rectangle', 'background-color': (n) => typeColour(n.data('type')),
        'border-width': 1, 'border-color': '#555', 'label': 'data(label)', 'font-size': 11,
        'font-family': 'Helvetica, Arial, sans-serif', 'text-valign': 'center', 'text-halign': 'center',
        'width': (n) => Math.min(160, 6.2 * String(n.data('label')).length) + 12, 'height': 22, 'padding': 6, 'text-wrap': 'ellipsis', 'text-max-width': 160,
        'min-zoomed-font-size': 6,
      } },
      { selector: 'node[type = "Person"]', style: { 'shape': 'ellipse' } },
      { selector: 'node[type = "ProposedFormat"]', style: { 'border-style': 'dashed' } },
      { selector: 'node[group]', style: { 'border-width': 3, 'border-color': (n) => GROUP_COLOURS[(n.data('group') - 1) % GROUP_COLOURS.length] } },
      { selector: 'node[rank]', style: { 'border-width': 3, 'border-color': (n) => RANK_COLOURS[n.data('shade')] } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1a73e8' } },
      { selector: 'node.path-from', style: { 'border-width': 3, 'border-color': '#f0a500' } },
      { selector: 'edge', style: {
        'width': 1.3, 'line-color': '#555', 'target-arrow-color': '#555', 'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8, 'curve-style': 'bezier', 'label': 'data(label)', 'font-size': 9,
        'color': '#444', 'text-rotation': 'autorotate', 'text-background-color': '#fff',
        'text-background-opacity': 0.8, 'text-background-padding': 1, 'min-zoomed-font-size': 8,
      } },
      // A large view draws straight links (bezier curves cost too much).
      { selector: 'edge.many', style: { 'curve-style': 'straight' } },
      { selector: 'edge[status = "proposed"], edge[status = "potential"]', style: { 'line-style': 'dashed' } },
      { selector: 'edge[status = "at_risk"]', style: { 'line-color': '#cc0000', 'target-arrow-color': '#cc0000', 'color': '#cc0000' } },
      { selector: 'edge[status = "lapsed"]', style: { 'line-style': 'dotted', 'line-color': '#999', 'target-arrow-color': '#999' } },
      { selector: 'edge:selected', style: { 'width': 3, 'line-color': '#1a73e8', 'target-arrow-color': '#1a73e8' } },
      { selector: '.dim', style: { 'opacity': 0.15 } },
      { selector: 'node.hl', style: { 'border-width': 3, 'border-color': '#f0a500' } },
      { selector: 'edge.hl', style: { 'width': 3.5, 'line-color': '#f0a500', 'target-arrow-color': '#f0a500', 'z-index': 10 } },
      { selector: '.filtered', style: { 'display': 'none' } },
    ],
  });

  // ---- API ----
  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    };
    const r = await fetch(path, opts);
    const ct = r.headers.get('Content-Type') || '';
    if (!r.ok) {
      let e = { message: r.status + ' ' + r.statusText };
      if (ct.startsWith('application/json')) e = (await r.json()).error || e;
      throw Object.assign(new Error(e.message), e);
    }
    return ct.startsWith('application/json') ? r.json() : r.blob();
  }

  function showError(err) {
    const pre = $('error');
    if (!err) { pre.hidden = true; pre.textContent = ''; return; }
    pre.hidden = false;
    pre.textContent = err.message + (err.caret ? '\n' + err.caret : '');
  }

  // ---- drawing ----
  const relKey = (e) => [e.from, e.rel, e.to, e.statement || ''].join('\u001f');
  const label = (n) => n.name || n.id;

  function edgeLabel(e) {
    return e.sector ? e.rel + ' (' + e.sector + ')' : e.rel;
  }

  // addGraph draws an answer's nodes and relations, up to the cap; the
  // rest waits for "show more". around: a node to place new ones around.
  function addGraph(g, around) {
    const fresh = [];
    const before = cy.nodes().length;
    for (const n of g.nodes) {
      if (cy.getElementById(n.id).nonempty()) continue;
      if (cy.nodes().length >= state.drawCap) { state.pending.push({ group: 'nodes', data: n }); continue; }
      fresh.push(cy.add({ group: 'nodes', data: { id: n.id, label: label(n), type: n.type || '', raw: n } }));
    }
    for (const e of g.edges) {
      const key = relKey(e);
      if (cy.getElementById(key).nonempty()) continue;
      if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) {
        state.pending.push({ group: 'edges', data: e });
        continue;
      }
      cy.add({ group: 'edges', data: { id: key, source: e.from, target: e.to, label: edgeLabel(e), status: e.status, kind: e.rel, raw: e } });
    }
    if (g.marks) markNodes(g.marks);
    const many = cy.edges().length > 300;
    cy.edges().toggleClass('many', many);
    place(fresh, around, before === 0);
    refreshChrome();
    return fresh;
  }

  // markNodes outlines the nodes of a network answer as exports do: each
  // community or component in its colour, ranked nodes in a shade of red
  // (the darker, the higher), their rank before their name. A new marked
  // answer replaces the marks of the one before.
  function markNodes(marks) {
    cy.nodes('[group], [rank]').forEach((n) => {
      n.removeData('group rank shade');
      n.data('label', label(n.data('raw')));
    });
    let last = 1;
    for (const m of Object.values(marks)) last = Math.max(last, m.rank || 0);
    for (const [id, m] of Object.entries(marks)) {
      const n = cy.getElementById(id);
      if (n.empty()) continue;
      if (m.group) n.data('group', m.group);
      if (m.rank) {
        n.data('rank', m.rank);
        n.data('shade', Math.min(Math.floor((m.rank - 1) * RANK_COLOURS.length / last), RANK_COLOURS.length - 1));
        n.data('label', '#' + m.rank + ' ' + label(n.data('raw')));
      }
    }
  }

  function drawPending() {
    const p = state.pending;
    state.pending = [];
    addGraph({ nodes: p.filter((x) => x.group === 'nodes').map((x) => x.data), edges: p.filter((x) => x.group === 'edges').map((x) => x.data) });
  }

  // place puts new nodes on rings around a node (or lays everything out
  // when the view was empty or the nodes have no anchor).
  function place(nodes, around, wasEmpty) {
    if (nodes.length === 0) return;
    const anchor = around && cy.getElementById(around);
    if (wasEmpty || !anchor || anchor.empty()) {
      layout(wasEmpty ? null : nodes);
      return;
    }
    const c = anchor.position();
    let ring = 0, i = 0;
    while (i < nodes.length) {
      const r = 140 + ring * 90;
      const room = Math.max(6, Math.floor((2 * Math.PI * r) / 110));
      const k = Math.min(room, nodes.length - i);
      for (let j = 0; j < k; j++, i++) {
        const a = (2 * Math.PI * j) / k + ring * 0.4;
        nodes[i].position({ x: c.x + r * Math.cos(a), y: c.y + r * Math.sin(a) });
      }
      ring++;
    }
    cy.animate({ fit: { eles: cy.elements(':visible'), padding: 40 } }, { duration: 200 });
  }

  function layout(only) {
    const eles = cy.elements(':visible');
    const n = eles.nodes().length;
    const name = n > 300 ? 'concentric' : 'cose';
    cy.layout({
      name, eles, animate: false, fit: true, padding: 40, nodeDimensionsIncludeLabels: true,
      randomize: false, idealEdgeLength: () => 110, nodeRepulsion: () => 9000, numIter: 600,
      concentric: (node) => node.degree(), levelWidth: () => 2, minNodeSpacing: 10,
      nodeOverlap: 20, componentSpacing: 80,
    }).run();
    // A few nodes fitted to the window would be drawn huge.
    if (cy.zoom() > 1.3) { cy.zoom(1.3); cy.center(eles); }
  }

  function refreshChrome() {
    const n = cy.nodes().length, m = cy.edges().length;
    $('empty').hidden = n > 0;
    const vis = cy.nodes(':visible').length;
    $('status').textContent = n + ' nodes, ' + m + ' links drawn' + (vis < n ? ' (' + (n - vis) + ' hidden by the filters)' : '');
    const notice = $('notice');
    const waiting = state.pending.filter((x) => x.group === 'nodes').length;
    notice.replaceChildren();
    if (waiting > 0 || state.capNote) {
      notice.hidden = false;
      if (waiting > 0) {
        notice.append('Showing ' + n + ' nodes; ' + waiting + ' more not drawn to keep the page fast.',
          el('button', { id: 'show-more', onclick: () => { state.drawCap += DRAW_STEP; drawPending(); } }, 'Show more'));
      } else {
        notice.append(state.capNote.text, el('button', { id: 'show-more', onclick: state.capNote.more }, 'Show more'));
      }
    } else {
      notice.hidden = true;
    }
    renderFilters();
    renderLegend();
    saveURL();
  }

  // ---- filters and legend ----
  function counts(sel, field) {
    const m = new Map();
    cy.elements(sel).forEach((e) => { const v = e.data(field) || '—'; m.set(v, (m.get(v) || 0) + 1); });
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  function renderFilters() {
    const box = (id, prefix, entries) => {
      $(id).replaceChildren(...entries.map(([v, c]) => {
        const key = prefix + ':' + v;
        const cb = el('input', { type: 'checkbox', 'data-filter': key });
        cb.checked = !state.hidden.has(key);
        cb.addEventListener('change', () => {
          if (cb.checked) state.hidden.delete(key); else state.hidden.add(key);
          applyFilters();
        });
        return el('label', {}, cb, ' ' + v + ' ', el('span', { class: 'count' }, '(' + c + ')'));
      }));
    };
    box('filter-type', 'type', counts('node', 'type'));
    const st = counts('edge', 'status');
    box('filter-status', 'status', st.sort((a, b) => STATUSES.indexOf(a[0]) - STATUSES.indexOf(b[0])));
    box('filter-kind', 'kind', counts('edge', 'kind'));
  }

  function applyFilters() {
    cy.batch(() => {
      cy.elements().removeClass('filtered');
      cy.nodes().forEach((n) => { if (state.hidden.has('type:' + (n.data('type') || '—'))) n.addClass('filtered'); });
      cy.edges().forEach((e) => {
        if (state.hidden.has('status:' + e.data('status')) || state.hidden.has('kind:' + e.data('kind'))) e.addClass('filtered');
      });
    });
    refreshChrome();
  }

  function renderLegend() {
    const types = counts('node', 'type').map(([t]) => t);
    const items = types.map((t) => el('div', { class: 'item' },
      el('span', { class: 'swatch' + (t === 'Person' ? ' ellipse' : '') + (t === 'ProposedFormat' ? ' dashed' : ''),
        style: 'background:' + typeColour(t === '—' ? '' : t) }), t));
    items.push(
      el('div', { class: 'item' }, el('span', { class: 'line' }), 'existing'),
      el('div', { class: 'item' }, el('span', { class: 'line dashed' }), 'proposed, potential'),
      el('div', { class: 'item' }, el('span', { class: 'line red' }), 'at risk'),
      el('div', { class: 'item' }, el('span', { class: 'line dotted' }), 'lapsed'));
    $('legend').replaceChildren(...items);
  }

  // ---- operations (each one recorded in the URL) ----
  const eqlRef = (id) => (id.startsWith('_:') ? JSON.stringify(id) : '<' + id + '>');

  // queryOf is the query an operation stands for (for export).
  function queryOf(op) {
    switch (op.op) {
      case 'add': return { query: 'show ' + eqlRef(op.id), limit: 1 };
      case 'expand': return { query: 'neighbors ' + eqlRef(op.id) + (op.depth > 1 ? ' depth ' + op.depth : '') + ' limit ' + (op.limit || DRAW_STEP) };
      case 'path': return { query: (op.all ? 'paths ' : 'path ') + eqlRef(op.from) + ' to ' + eqlRef(op.to) };
      case 'why': return { query: 'why ' + eqlRef(op.a) + ' ' + eqlRef(op.b) };
      case 'eql': return { query: op.q, lang: op.lang || 'eql' };
    }
    return null;
  }

  async function perform(op, record) {
    showError(null);
    if (record) state.ops.push(op);
    switch (op.op) {
      case 'add': {
        const a = await api('/api/entity?id=' + encodeURIComponent(op.id) + '&limit=1');
        const ent = a.rows[0] && a.rows[0].entity;
        const n = ent || a.graph.nodes.find((x) => x.id === op.id);
        if (n) addGraph({ nodes: [n], edges: [] });
        return;
      }
      case 'expand': {
        const limit = op.limit || DRAW_STEP;
        const a = await api('/api/neighbors?id=' + encodeURIComponent(op.id) + '&limit=' + limit + (op.depth > 1 ? '&depth=' + op.depth : ''));
        const fresh = addGraph(a.graph, op.id);
        if (op.depth > 1 && fresh.length) layout();
        if (a.capped) {
          state.capNote = {
            text: label(nodeData(op.id)) + ': ' + a.note + '.',
            more: () => { state.capNote = null; op.limit = limit + DRAW_STEP; state.drawCap = Math.max(state.drawCap, cy.nodes().length + DRAW_STEP); perform(op, false).catch(showError); },
          };
        } else state.capNote = null;
        refreshChrome();
        return;
      }
      case 'path': {
        const q = 'from=' + encodeURIComponent(op.from) + '&to=' + encodeURIComponent(op.to) + (op.all ? '&all=1' : '');
        const a = await api('/api/path?' + q);
        addGraph(a.graph, op.from);
        showPaths(a, op);
        return;
      }
      case 'why': { // every relation between two nodes, drawn without a panel
        const a = await api('/api/query', queryOf(op));
        addGraph(a.graph, op.a);
        return;
      }
      case 'eql': {
        const a = await api('/api/query', { query: op.q, lang: op.lang || 'eql' });
        const wasEmpty = cy.nodes().length === 0;
        const fresh = addGraph(a.graph);
        if (!wasEmpty && fresh.length > 0) layout();
        if (a.kind === 'path' || a.kind === 'paths') showPaths(a, op);
        else showAnswer(a, op);
        return;
      }
    }
  }

  const nodeData = (id) => { const n = cy.getElementById(id); return n.nonempty() ? n.data('raw') : { id }; };

  async function run(op) {
    try {
      await perform(op, true);
    } catch (e) {
      state.ops.pop();
      showError(e);
    }
    saveURL();
  }

  // ---- panel: card, link, paths, answers ----
  function panel(...kids) { $('panel-body').replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined)); }

  function relLine(r, focus) {
    const out = r.from === focus;
    const other = out ? r.to_name : r.from_name;
    const quals = Object.keys(r).filter((k) => !NOT_QUALIFIERS.has(k) && !(k === 'status' && r.status === 'existing'))
      .map((k) => k + ': ' + r[k]);
    const otherID = out ? r.to : r.from;
    return el('li', { class: 'rel status-' + r.status, title: 'Show this link\u2019s evidence', onclick: () => showEdge(r) },
      (out ? '\u2192 ' : '\u2190 ') + r.rel + ' ',
      el('a', { href: '#', title: 'Draw ' + other + ' and open its card', onclick: (e) => { e.preventDefault(); e.stopPropagation(); follow(focus, otherID); } }, other),
      quals.length ? ' (' + quals.join(', ') + ')' : '');
  }

  async function showCard(id) {
    let a;
    try { a = await api('/api/entity?id=' + encodeURIComponent(id)); } catch (e) { showError(e); return; }
    const row = a.rows[0] || {};
    const ent = row.entity || nodeData(id);
    const rels = row.relations || [];
    const byKind = new Map();
    for (const r of rels) { if (!byKind.has(r.rel)) byKind.set(r.rel, []); byKind.get(r.rel).push(r); }
    panel(
      el('h3', { id: 'card-name' }, label(ent)),
      el('div', { class: 'sub' }, (ent.type || 'node') + ' \u00b7 ' + ent.id),
      ent.aliases ? el('div', {}, 'also known as: ' + ent.aliases.join(', ')) : null,
      el('div', { class: 'actions' },
        el('button', { id: 'btn-expand', onclick: () => expand(id), title: 'Expand one step (e, or 1)' }, 'Expand'),
        el('button', { id: 'btn-expand-2', onclick: () => expand(id, 2), title: 'Everything within two steps (2)' }, '2 steps'),
        el('button', { id: 'btn-expand-3', onclick: () => expand(id, 3), title: 'Everything within three steps (3)' }, '3 steps'),
        el('button', { id: 'btn-path', onclick: () => startPath(id), title: 'Strongest paths to another node (p)' }, 'Path to\u2026'),
        el('button', { id: 'btn-history', onclick: () => run({ op: 'eql', q: 'history ' + JSON.stringify(ent.id || id) }), title: 'Each change to it: who, when, why (history)' }, 'History'),
        el('button', { onclick: () => removeNode(id), title: 'Remove from the view (Delete)' }, 'Remove')),
      el('h2', {}, rels.length + ' relations' + (a.capped ? ' (' + a.note + ')' : '')),
      ...[...byKind.entries()].map(([k, rs]) => el('div', {}, el('strong', {}, k + ' (' + rs.length + ')'), el('ul', {}, rs.map((r) => relLine(r, ent.id))))));
  }

  function showEdge(r) {
    const quals = Object.keys(r).filter((k) => !NOT_QUALIFIERS.has(k));
    const ev = r.evidence || [];
    panel(
      el('h3', {}, r.from_name + ' \u2014' + r.rel + '\u2192 ' + r.to_name),
      el('div', { class: 'sub' }, r.statement || ''),
      el('dl', { id: 'edge-qualifiers' }, quals.flatMap((k) => [el('dt', {}, k), el('dd', { class: k === 'status' ? 'status-' + r[k] : '' }, String(r[k]))])),
      el('h2', {}, ev.length === 1 ? '1 piece of evidence' : ev.length + ' pieces of evidence'),
      ev.length === 0 ? el('p', { class: 'hint' }, 'The graph holds no evidence for this link.') : null,
      ...ev.map((e) => el('div', { class: 'evidence' },
        el('div', { class: 'source' }, e.source || '(no source)'),
        el('div', { class: 'locator' }, e.locator || ''),
        el('div', { class: 'note' }, e.note || ''))));
  }

  function pathText(p) {
    let s = label(p.nodes[0]);
    p.edges.forEach((e, i) => {
      const kind = e.rel + (e.status !== 'existing' ? ' [' + e.status + ']' : '') + (e.also ? ' (+' + e.also.length + ')' : '');
      s += e.reverse ? ' \u2190' + kind + '\u2014 ' : ' \u2014' + kind + '\u2192 ';
      s += label(p.nodes[i + 1]);
    });
    return s;
  }

  function showPaths(a, op) {
    state.paths = a.rows.filter((p) => p && p.nodes && p.edges).map((p) => ({
      text: pathText(p), weakest: p.weakest,
      nodes: p.nodes.map((n) => n.id),
      edges: p.edges.flatMap((e) => [relKey(e), ...(e.also || []).map(relKey)]),
    }));
    state.pathIndex = 0;
    const items = state.paths.map((p, i) => el('div', { class: 'path-item', 'data-index': i, onclick: () => highlightPath(i) },
      (i + 1) + '. ' + p.text + (p.weakest && p.weakest !== 'existing' ? '  [weakest: ' + p.weakest + ']' : '')));
    const ends = op.op === 'path' ? label(nodeData(op.from)) + ' \u2192 ' + label(nodeData(op.to)) : a.statement;
    panel(
      el('h3', {}, 'Paths'), el('div', { class: 'sub' }, ends),
      el('p', { class: 'hint' }, state.paths.length === 0 ? 'No path.' :
        state.paths.length + (state.paths.length === 1 ? ' path' : ' paths') + ', strongest first. n / Shift+n steps through them; Esc clears.'),
      a.graph.marks ? el('p', { class: 'hint' }, 'Outlined: ' + (Object.values(a.graph.marks).some((m) => m.group)
        ? 'each community or component in its colour.' : 'by rank, the darker the higher; the rank precedes the name.')) : null,
      ...(a.notes || []).map((n) => el('p', { class: 'hint' }, 'note: ' + n)),
      a.note ? el('p', { class: 'hint' }, a.note) : null,
      op.op === 'path' && !op.all ? el('button', { onclick: () => run({ op: 'path', from: op.from, to: op.to, all: true }) }, 'Every simple path among the strongest') : null,
      el('div', { id: 'path-list' }, items));
    if (state.paths.length) highlightPath(0);
  }

  function highlightPath(i) {
    if (!state.paths.length) return;
    state.pathIndex = (i + state.paths.length) % state.paths.length;
    const p = state.paths[state.pathIndex];
    cy.batch(() => {
      cy.elements().addClass('dim').removeClass('hl');
      for (const id of p.nodes) cy.getElementById(id).removeClass('dim').addClass('hl');
      for (const k of p.edges) cy.getElementById(k).removeClass('dim').addClass('hl');
    });
    document.querySelectorAll('.path-item').forEach((x) => x.classList.toggle('current', Number(x.dataset.index) === state.pathIndex));
    const on = cy.elements('.hl');
    if (on.nonempty() && !restoring) cy.animate({ fit: { eles: on, padding: 80 } }, { duration: 250, complete: () => { if (cy.zoom() > 1.5) cy.zoom({ level: 1.5, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); } });
  }

  function clearHighlight() {
    cy.elements().removeClass('dim hl');
    setPathFrom(null);
  }

  // cell is a value of an answer's row as a table shows it: a node by its
  // name (a click draws and selects it), a relation as A —kind→ B, a path
  // as its chain.
  function cell(v) {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return el('span', {}, '[', ...v.flatMap((x, i) => (i ? [', ', cell(x)] : [cell(x)])), ']');
    if (typeof v !== 'object') return String(v);
    if (v.nodes && v.edges) return pathText(v);
    if (v.from && v.rel) return el('span', { class: 'rel', onclick: () => showEdge(v) }, v.from_name + ' \u2014' + v.rel + '\u2192 ' + v.to_name);
    if (v.id !== undefined && v.name !== undefined) {
      return el('a', { href: '#', onclick: (e) => { e.preventDefault(); choose(v); } }, v.name);
    }
    if (v.highlight !== undefined) return v.highlight;
    return JSON.stringify(v);
  }

  function showAnswer(a, op) {
    const SHOWN = 200;
    const whole = a.columns.length === 1;
    const rows = a.rows.slice(0, SHOWN).map((r) => el('tr', {},
      a.columns.map((c) => el('td', {}, cell(whole && (r.from || r.nodes) ? r : r[c])))));
    panel(
      el('h3', {}, 'Answer'), el('div', { class: 'sub' }, a.statement || op.q),
      el('p', { class: 'hint' }, a.rows.length + (a.rows.length === 1 ? ' row' : ' rows') + '; ' + a.graph.nodes.length + ' nodes and ' + a.graph.edges.length + ' links drawn.'),
      a.graph.marks ? el('p', { class: 'hint' }, 'Outlined: ' + (Object.values(a.graph.marks).some((m) => m.group)
        ? 'each community or component in its colour.' : 'by rank, the darker the higher; the rank precedes the name.')) : null,
      ...(a.notes || []).map((n) => el('p', { class: 'hint' }, 'note: ' + n)),
      a.note ? el('p', { class: 'hint' }, a.note) : null,
      el('table', { class: 'answer' }, el('thead', {}, el('tr', {}, a.columns.map((c) => el('th', {}, c)))), el('tbody', {}, rows)),
      a.rows.length > SHOWN ? el('p', { class: 'hint' }, 'The first ' + SHOWN + ' of ' + a.rows.length + ' rows; export the view, or ask POST /api/query, for all.') : null);
  }

  // ---- actions ----
  function select(id) {
    cy.elements().unselect();
    const n = cy.getElementById(id);
    if (n.empty()) return;
    n.select();
    state.selected = id;
    saveURL();
    showCard(id);
  }

  // expand draws a node's neighbours, depth steps out (Kumu's 1, 2, 3).
  function expand(id, depth) { if (id) run(depth > 1 ? { op: 'expand', id, depth } : { op: 'expand', id }); }

  function setPathFrom(id) {
    cy.nodes().removeClass('path-from');
    state.pathFrom = id;
    const m = $('mode');
    if (id) {
      cy.getElementById(id).addClass('path-from');
      m.hidden = false;
      m.textContent = 'Path from ' + label(nodeData(id)) + ': click or find the other end (Esc cancels)';
    } else m.hidden = true;
  }

  function startPath(id) { if (id) setPathFrom(id); }

  function pathTo(id) {
    const from = state.pathFrom;
    setPathFrom(null);
    if (from && id && from !== id) run({ op: 'path', from, to: id });
  }

  function removeNode(id) {
    const n = cy.getElementById(id);
    if (n.empty()) return;
    n.remove();
    state.ops.push({ op: 'remove', id });
    if (state.selected === id) state.selected = null;
    panel(el('p', { class: 'hint' }, 'Removed ' + label(n.data('raw')) + ' from the view.'));
    refreshChrome();
  }

  // follow draws the other end of a card's relation with every link
  // between the two, and opens its card.
  async function follow(from, to) {
    if (cy.getElementById(to).empty()) await run({ op: 'add', id: to });
    await run({ op: 'why', a: from, b: to });
    select(to);
  }

  async function choose(hit) {
    $('search').value = '';
    $('search').blur(); // the shortcuts apply to the chosen node
    closeCompletions();
    if (cy.getElementById(hit.id).empty()) {
      await run({ op: 'add', id: hit.id });
    }
    if (state.pathFrom) { pathTo(hit.id); return; }
    const n = cy.getElementById(hit.id);
    if (n.nonempty()) cy.animate({ center: { eles: n } }, { duration: 200 });
    select(hit.id);
  }

  cy.on('tap', 'node', (ev) => {
    const id = ev.target.id();
    if (state.pathFrom) { pathTo(id); return; }
    if (ev.originalEvent && ev.originalEvent.shiftKey && state.selected && state.selected !== id) {
      setPathFrom(state.selected);
      pathTo(id);
      return;
    }
    select(id);
  });
  cy.on('dbltap', 'node', (ev) => expand(ev.target.id()));
  cy.on('tap', 'edge', (ev) => showEdge(ev.target.data('raw')));
  cy.on('tap', (ev) => { if (ev.target === cy) { cy.elements().unselect(); state.selected = null; } });

  // ---- search with completion ----
  let compHits = [], compIndex = -1, compSeq = 0, compTimer = 0;

  function closeCompletions() {
    $('completions').hidden = true;
    $('search').setAttribute('aria-expanded', 'false');
    compHits = []; compIndex = -1;
  }

  function renderCompletions() {
    const ul = $('completions');
    ul.replaceChildren(...compHits.map((h, i) => el('li', {
      role: 'option', id: 'completion-' + i, 'aria-selected': i === compIndex ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); choose(h); },
    }, el('span', {}, h.name, h.match !== h.name ? el('span', { class: 'via' }, ' (' + h.match + ')') : null), el('span', { class: 'type' }, h.type || ''))));
    ul.hidden = compHits.length === 0;
    $('search').setAttribute('aria-expanded', String(!ul.hidden));
  }

  $('search').addEventListener('input', () => {
    clearTimeout(compTimer);
    const q = $('search').value.trim();
    if (!q) { closeCompletions(); return; }
    compTimer = setTimeout(async () => {
      const seq = ++compSeq;
      try {
        const a = await api('/api/complete?limit=12&q=' + encodeURIComponent(q));
        if (seq !== compSeq) return;
        compHits = a.hits; compIndex = compHits.length ? 0 : -1;
        renderCompletions();
      } catch (e) { showError(e); }
    }, 120);
  });
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!compHits.length) return;
      e.preventDefault();
      compIndex = (compIndex + (e.key === 'ArrowDown' ? 1 : -1) + compHits.length) % compHits.length;
      renderCompletions();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (compIndex >= 0 && compHits[compIndex]) choose(compHits[compIndex]);
    } else if (e.key === 'Escape') {
      closeCompletions(); $('search').blur();
    }
  });
  $('search').addEventListener('blur', () => setTimeout(closeCompletions, 150));

  // ---- the query box, with its history ----
  const HISTORY_KEY = 'entente.history';
  let queryHistory = [];
  try { queryHistory = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]'); } catch (e) { queryHistory = []; }
  let histPos = queryHistory.length;

  function renderHistory() {
    $('history').replaceChildren(el('option', { value: '' }, 'History\u2026'),
      ...queryHistory.slice().reverse().map((q) => el('option', { value: q }, q.length > 60 ? q.slice(0, 59) + '\u2026' : q)));
  }

  function remember(q) {
    queryHistory = queryHistory.filter((x) => x !== q);
    queryHistory.push(q);
    if (queryHistory.length > 100) queryHistory = queryHistory.slice(-100);
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(queryHistory)); } catch (e) { /* private mode */ }
    histPos = queryHistory.length;
    renderHistory();
  }

  $('eql-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('eql').value.trim();
    if (!q) return;
    remember(q);
    run({ op: 'eql', q, lang: $('lang').value });
  });
  $('eql').addEventListener('keydown', (e) => {
    const ta = $('eql');
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $('eql-form').requestSubmit(); return; }
    if (e.key === 'ArrowUp' && ta.selectionStart === 0 && queryHistory.length) {
      e.preventDefault(); histPos = Math.max(0, histPos - 1); ta.value = queryHistory[histPos];
    } else if (e.key === 'ArrowDown' && ta.selectionEnd === ta.value.length && histPos < queryHistory.length) {
      e.preventDefault(); histPos++; ta.value = histPos < queryHistory.length ? queryHistory[histPos] : '';
    } else if (e.key === 'Escape') ta.blur();
  });
  $('history').addEventListener('change', () => {
    if ($('history').value) { $('eql').value = $('history').value; $('eql').focus(); }
    $('history').value = '';
  });

  // ---- export ----
  function download(blob, name) {
    const a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  async function exportView(format) {
    showError(null);
    if (format === 'canvas-png') {
      download(cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'blob' }), 'entente-view.png');
      return;
    }
    const queries = state.ops.map(queryOf).filter(Boolean);
    if (!queries.length) { showError(new Error('nothing to export: the view is empty')); return; }
    const vis = cy.elements(':visible');
    try {
      const blob = await api('/api/export', {
        format, queries,
        nodes: vis.nodes().map((n) => n.id()),
        edges: vis.edges().map((e) => e.id()),
      });
      const ext = { nquads: 'nq', cytoscape: 'cyjs', csv: 'zip' }[format] || format;
      download(blob, 'entente-view.' + ext);
    } catch (e) { showError(e); }
  }

  $('export-format').addEventListener('change', () => {
    const f = $('export-format').value;
    $('export-format').value = '';
    if (f) exportView(f);
  });

  // ---- the view in the URL ----
  let restoring = false;

  function encodeOp(op) {
    switch (op.op) {
      case 'add': return 'add:' + op.id;
      case 'remove': return 'remove:' + op.id;
      case 'expand': return 'expand:' + (op.depth > 1 ? 'd' + op.depth + ':' : '') + (op.limit && op.limit !== DRAW_STEP ? op.limit + ':' : '') + op.id;
      case 'path': return (op.all ? 'paths:' : 'path:') + op.from + '\u0000' + op.to;
      case 'why': return 'why:' + op.a + '\u0000' + op.b;
      case 'eql': return (op.lang === 'gizmo' ? 'gizmo:' : 'eql:') + op.q;
    }
    return '';
  }

  function decodeOp(s) {
    const i = s.indexOf(':');
    const kind = s.slice(0, i), rest = s.slice(i + 1);
    switch (kind) {
      case 'add': case 'remove': return { op: kind, id: rest };
      case 'expand': {
        const m = /^(?:d([1-8]):)?(?:(\d+):)?(.*)$/.exec(rest);
        const op = { op: 'expand', id: m[3] };
        if (m[1] && m[1] !== '1') op.depth = Number(m[1]);
        if (m[2]) op.limit = Number(m[2]);
        return op;
      }
      case 'path': case 'paths': {
        const [from, to] = rest.split('\u0000');
        return { op: 'path', from, to, all: kind === 'paths' };
      }
      case 'why': {
        const [a, b] = rest.split('\u0000');
        return { op: 'why', a, b };
      }
      case 'eql': case 'gizmo': return { op: 'eql', q: rest, lang: kind };
    }
    return null;
  }

  function saveURL() {
    if (restoring) return;
    const p = new URLSearchParams();
    for (const op of state.ops) p.append('op', encodeOp(op));
    if (state.selected) p.set('sel', state.selected);
    if (state.hidden.size) p.set('hide', [...state.hidden].join('\u0000'));
    if (state.drawCap !== DRAW_STEP) p.set('cap', String(state.drawCap));
    const h = p.toString();
    if (('#' + h) !== location.hash && !(h === '' && location.hash === '')) {
      replaceHash(h);
    }
  }

  function replaceHash(h) {
    window.history.replaceState(null, '', h ? '#' + h : location.pathname + location.search);
  }

  async function restore() {
    const p = new URLSearchParams(location.hash.slice(1));
    restoring = true;
    try {
      const cap = Number(p.get('cap'));
      if (cap > 0) state.drawCap = cap;
      if (p.get('hide')) state.hidden = new Set(p.get('hide').split('\u0000'));
      for (const s of p.getAll('op')) {
        const op = decodeOp(s);
        if (!op) continue;
        if (op.op === 'remove') {
          cy.getElementById(op.id).remove();
          state.ops.push(op);
          continue;
        }
        try { await perform(op, true); } catch (e) { state.ops.pop(); showError(e); }
      }
      applyFilters();
      const sel = p.get('sel');
      if (sel && cy.getElementById(sel).nonempty()) {
        cy.getElementById(sel).select();
        state.selected = sel;
        const last = state.ops[state.ops.length - 1];
        if (!last || last.op !== 'path') showCard(sel);
      }
    } finally {
      restoring = false;
      refreshChrome();
    }
  }

  // ---- buttons and keys ----
  $('btn-layout').addEventListener('click', () => layout());
  $('btn-fit').addEventListener('click', () => cy.fit(undefined, 40));
  $('btn-clear').addEventListener('click', () => {
    cy.elements().remove();
    Object.assign(state, { ops: [], selected: null, paths: [], pending: [], capNote: null, drawCap: DRAW_STEP });
    setPathFrom(null);
    panel(el('p', { class: 'hint' }, 'Click a node for its card, a link for its evidence.'));
    refreshChrome();
  });
  $('btn-help').addEventListener('click', () => $('help').showModal());

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') || e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case '/': e.preventDefault(); $('search').focus(); break;
      case 'q': e.preventDefault(); $('eql').focus(); break;
      case 'e': case '1': expand(state.selected); break;
      case '2': case '3': expand(state.selected, Number(e.key)); break;
      case 'p': startPath(state.selected); break;
      case 'n': highlightPath(state.pathIndex + 1); break;
      case 'N': highlightPath(state.pathIndex - 1); break;
      case 'l': layout(); break;
      case 'f': cy.fit(undefined, 40); break;
      case 'Delete': case 'Backspace': if (state.selected) removeNode(state.selected); break;
      case 'Escape': clearHighlight(); break;
      case '?': $('help').showModal(); break;
      default: return;
    }
  });

  // ---- start ----
  window.explorer = { cy, state, run, select, ready: false };
  (async () => {
    try {
      state.info = await api('/api/info');
      const sel = $('export-format');
      for (const f of state.info.formats) {
        const names = {
          csv: 'CSV (zip of relations and nodes)', svg: 'SVG (laid out by Graphviz)', png: 'PNG (laid out by Graphviz)',
          pdf: 'PDF (laid out by Graphviz)', graphml: 'GraphML', gexf: 'GEXF', dot: 'DOT', nquads: 'N-Quads',
          jsonld: 'JSON-LD', cytoscape: 'Cytoscape JSON',
        };
        sel.append(el('option', { value: f }, names[f] || f));
      }
    } catch (e) { showError(e); }
    renderHistory();
    await restore();
    window.explorer.ready = true;
  })();
})();
