/*
 * The script of the HTML map page (mapPage.ts), as text: plain browser
 * JavaScript, no framework, no network. It reads the embedded steps
 * (mapSteps.ts), draws the moment the slider is at — the arena map with
 * renderArenaMap (embedded beside it), and for a run the source line, the
 * output so far, the names and objects (boxes and arrows, breadth first
 * from the names) and the pool holding the selected object with its block
 * outlined; arenas mapped since the step before framed, those unmapped
 * named) — and marks in the DOM what it drew (data-step, data-arenas on
 * #arenas, data-type and data-name on each object box), which the browser
 * test reads. `#step=N` in the address opens step N (0-based).
 */

/** The page's script (it expects renderArenaMap defined before it). */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pymem-data').textContent);
  var S = data.steps;
  var n = S.steps.length;
  var slider = document.getElementById('slider');
  var label = document.getElementById('label');
  var arenasDiv = document.getElementById('arenas');
  var objectsDiv = document.getElementById('objects');
  var poolDiv = document.getElementById('pool');
  var sourceDiv = document.getElementById('source');
  var outputDiv = document.getElementById('output');
  var selected = null;
  var current = 0;
  slider.max = String(n - 1);

  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  function frameOf(step) {
    var f = {};
    for (var k in S.frame) f[k] = S.frame[k];
    f.arenas = step.arenas.map(function (i) { var a = S.arenaTable[i]; return { ordinal: a[0], address: a[1], pools: a[2] }; });
    return f;
  }
  function node(k) {
    var t = S.nodeTable[k];
    return { id: t[0], type: t[1], value: t[2], refcnt: t[3], size: t[4], block: t[5], edges: t[6], more: t[7] };
  }

  // The names and objects: names on the left by frame, objects in columns by their distance from a name.
  function drawObjects(step, nodes, byId) {
    var roots = step.roots || [];
    var depth = new Map();
    var order = [];
    roots.forEach(function (r) { if (byId.has(r[2]) && !depth.has(r[2])) { depth.set(r[2], 0); order.push(r[2]); } });
    for (var i = 0; i < order.length; i++) {
      var o = byId.get(order[i]);
      o.edges.forEach(function (e) { if (byId.has(e[1]) && !depth.has(e[1])) { depth.set(e[1], depth.get(o.id) + 1); order.push(e[1]); } });
    }
    var BOXW = 176, BOXH = 50, COLW = 236, X0 = 170;
    var colY = [];
    var pos = new Map();
    order.forEach(function (id) {
      var d = depth.get(id);
      var y = colY[d] || 8;
      pos.set(id, { x: X0 + d * COLW, y: y });
      colY[d] = y + BOXH + 14;
    });
    var out = [];
    var ry = 8;
    var scope = null;
    var rootPos = [];
    roots.forEach(function (r) {
      if (r[0] !== scope) {
        scope = r[0];
        out.push('<text x="6" y="' + (ry + 12) + '" font-weight="bold" font-size="12">' + esc(scope === 'globals' ? 'Global frame' : scope) + '</text>');
        ry += 20;
      }
      out.push('<g class="name" data-name="' + esc(r[1]) + '"><text x="14" y="' + (ry + 12) + '" font-size="12" font-family="monospace">' + esc(r[1]) + '</text>' +
        '<rect x="120" y="' + (ry + 1) + '" width="16" height="16" fill="#fff" stroke="#777"/><circle cx="128" cy="' + (ry + 9) + '" r="2.5" fill="#333"/></g>');
      rootPos.push({ y: ry + 9, id: r[2] });
      ry += 22;
    });
    var H = Math.max(ry, Math.max.apply(null, colY.concat([0]))) + 10;
    var W = X0 + (Math.max.apply(null, Array.from(depth.values()).concat([0])) + 1) * COLW + 10;
    var arrows = [];
    // Forward arrows go from a box's right side to the next column's left side; arrows to the
    // same or an earlier column loop round to the target's right side.
    function arrow(x1, y1, x2, y2, text) {
      var mx = (x1 + x2) / 2;
      arrows.push('<path d="M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2 + '" fill="none" stroke="#4a6fa5" stroke-width="1.2" marker-end="url(#ah)"/>');
      if (text) arrows.push('<text x="' + (x2 - 3) + '" y="' + (y2 - 4) + '" font-size="9" text-anchor="end" fill="#4a6fa5">' + esc(text) + '</text>');
    }
    function loop(x1, y1, x2, y2, text) {
      if (y1 === y2) { y1 -= 8; y2 += 8; }
      var bulge = 28 + Math.abs(y2 - y1) / 5;
      arrows.push('<path d="M' + x1 + ',' + y1 + ' C' + (x1 + bulge) + ',' + y1 + ' ' + (x2 + bulge) + ',' + y2 + ' ' + x2 + ',' + y2 + '" fill="none" stroke="#4a6fa5" stroke-width="1.2" marker-end="url(#ah)"/>');
      if (text) arrows.push('<text x="' + (Math.max(x1, x2) + bulge * 0.75 + 2) + '" y="' + ((y1 + y2) / 2 + 3) + '" font-size="9" fill="#4a6fa5">' + esc(text) + '</text>');
    }
    rootPos.forEach(function (r) { var p = pos.get(r.id); if (p) arrow(136, r.y, p.x, p.y + BOXH / 2); });
    order.forEach(function (id) {
      var o = byId.get(id), p = pos.get(id);
      var sel = id === selected;
      var b = o.block;
      var where = b ? 'arena ' + b[0] + ' · pool ' + b[1] + ' · block ' + b[2] : 'not in an arena (static or raw)';
      var title = o.type + (o.value !== null ? ' ' + o.value : '');
      out.push('<g class="obj" data-id="' + o.id + '" data-type="' + esc(o.type) + '"' + (o.value !== null ? ' data-value="' + esc(o.value) + '"' : '') + ' style="cursor:pointer">' +
        '<rect x="' + p.x + '" y="' + p.y + '" width="' + BOXW + '" height="' + BOXH + '" rx="4" fill="' + (sel ? '#fff1e0' : '#fdfbe8') + '" stroke="' + (sel ? '#e07a1f' : '#999') + '" stroke-width="' + (sel ? 2.5 : 1) + '"/>' +
        '<text x="' + (p.x + 6) + '" y="' + (p.y + 14) + '" font-size="11" font-weight="bold">' + esc(title.length > 28 ? title.slice(0, 27) + '…' : title) + '</text>' +
        '<text x="' + (p.x + 6) + '" y="' + (p.y + 28) + '" font-size="10" fill="#444">' + (o.refcnt >= 1e8 ? 'static (refcount not counted)' : 'refcount ' + o.refcnt) + ' · ' + o.size + ' bytes</text>' +
        '<text x="' + (p.x + 6) + '" y="' + (p.y + 42) + '" font-size="9" fill="#2f6690">' + esc(where) + '</text></g>');
      o.edges.forEach(function (e) {
        var q = pos.get(e[1]);
        if (q && q.x > p.x) arrow(p.x + BOXW, p.y + BOXH / 2, q.x, q.y + BOXH / 2, e[0]);
        else if (q) loop(p.x + BOXW, p.y + BOXH / 2, q.x + BOXW, q.y + BOXH / 2, e[0]);
      });
      if (o.more > 0) out.push('<text x="' + (p.x + BOXW - 4) + '" y="' + (p.y + BOXH + 10) + '" font-size="9" text-anchor="end" fill="#777">+' + o.more + ' more</text>');
    });
    var note = step.truncated ? '<text x="6" y="' + (H - 2) + '" font-size="10" fill="#a00">(more objects than drawn)</text>' : '';
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + (H + 12) + '" font-family="Helvetica, Arial, sans-serif">' +
      '<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#4a6fa5"/></marker></defs>' +
      arrows.join('') + out.join('') + note + '</svg>';
  }

  // The pool of the selected object: its blocks, used / free / never carved, the object's outlined.
  function drawPool(step, sel, nodes) {
    if (!sel) return '<p class="hint">Click an object to see its block in its pool.</p>';
    if (!sel.block) return '<p class="hint">' + esc(sel.type) + ' at ' + sel.id + ' is not in an arena: a static object (small ints, singletons) or a raw block.</p>';
    var b = sel.block;
    var entry = null;
    (step.pools || []).forEach(function (k) { var p = S.poolTable[k]; if (p[0] === b[0] && p[1] === b[1]) entry = p; });
    if (!entry) return '';
    var slots = entry[3].split(',').map(function (run) { var r = run.split(':'); return r[0].repeat(Number(r[1])); }).join('');
    var cols = 34, c = 12;
    var mine = new Map();
    nodes.forEach(function (o) { if (o.block && o.block[0] === b[0] && o.block[1] === b[1]) mine.set(o.block[2], o); });
    var out = [];
    for (var i = 0; i < slots.length; i++) {
      var x = (i % cols) * c, y = 20 + Math.floor(i / cols) * c;
      var fill = slots[i] === '1' ? '#81b1d5' : slots[i] === '2' ? '#fff4d6' : '#fff';
      out.push('<rect x="' + x + '" y="' + y + '" width="' + c + '" height="' + c + '" fill="' + fill + '" stroke="#999" stroke-width="0.4"' + (slots[i] === '0' ? ' stroke-dasharray="1.5,1.5"' : '') + '/>');
      if (mine.has(i) && i !== b[2]) out.push('<rect x="' + (x + 2) + '" y="' + (y + 2) + '" width="' + (c - 4) + '" height="' + (c - 4) + '" fill="none" stroke="#333" stroke-width="1"><title>' + esc(mine.get(i).type) + '</title></rect>');
    }
    var sx = (b[2] % cols) * c, sy = 20 + Math.floor(b[2] / cols) * c;
    out.push('<rect id="selected-block" x="' + (sx - 1) + '" y="' + (sy - 1) + '" width="' + (c + 2) + '" height="' + (c + 2) + '" fill="none" stroke="#e07a1f" stroke-width="2.5"/>');
    var used = slots.split('').filter(function (s) { return s === '1'; }).length;
    var H = 20 + Math.ceil(slots.length / cols) * c + 4;
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + (cols * c + 2) + '" height="' + H + '" font-family="Helvetica, Arial, sans-serif">' +
      '<text x="0" y="13" font-size="12">arena ' + b[0] + ', pool ' + b[1] + ': ' + slots.length + ' blocks of ' + entry[2] + ' bytes, ' + used + ' in use; block ' + b[2] + ' holds the ' + esc(sel.type) + '</text>' + out.join('') + '</svg>';
  }

  function show(i) {
    current = Math.max(0, Math.min(n - 1, i));
    slider.value = String(current);
    var step = S.steps[current];
    label.textContent = 'step ' + (current + 1) + ' of ' + n + ': ' + step.label + (S.offered > n ? '  (' + n + ' of ' + S.offered + ' moments kept)' : '');
    var nodes = (step.nodes || []).map(node);
    var byId = new Map(nodes.map(function (o) { return [o.id, o]; }));
    if (selected === null || !byId.has(selected)) {
      // The first named object in an arena (a class or function is rarely what a learner looks for first).
      var named = (step.roots || []).map(function (r) { return byId.get(r[2]); }).filter(function (o) { return o && o.block; });
      selected = named.length ? named[named.length - 1].id : null;
    }
    var sel = selected === null ? null : byId.get(selected);
    var hl = sel && sel.block ? [sel.block[0] + ':' + sel.block[1]] : [];
    // Arenas mapped and unmapped since the step before, by ordinal.
    var ordinals = step.arenas.map(function (i) { return S.arenaTable[i][0]; });
    var before = current > 0 ? S.steps[current - 1].arenas.map(function (i) { return S.arenaTable[i][0]; }) : ordinals;
    var fresh = ordinals.filter(function (o) { return before.indexOf(o) < 0; });
    var gone = before.filter(function (o) { return ordinals.indexOf(o) < 0; });
    var change = (fresh.length ? ', arena ' + fresh.join(', ') + ' mapped (framed)' : '') + (gone.length ? ', arena ' + gone.join(', ') + ' unmapped' : '');
    arenasDiv.innerHTML = renderArenaMap(frameOf(step), { interactive: true, highlight: hl, fresh: fresh, title: 'the arenas', note: step.label + (current > 0 ? change || ', no arena mapped or unmapped since the step before' : ''), width: Math.max(900, arenasDiv.clientWidth - 14) });
    arenasDiv.dataset.arenas = String(step.arenas.length);
    arenasDiv.dataset.step = String(current);
    if (objectsDiv) {
      objectsDiv.innerHTML = drawObjects(step, nodes, byId);
      objectsDiv.dataset.objects = String(nodes.length);
    }
    if (poolDiv) poolDiv.innerHTML = drawPool(step, sel, nodes);
    if (sourceDiv && step.line !== undefined) {
      Array.prototype.forEach.call(sourceDiv.querySelectorAll('.src'), function (el) { el.classList.toggle('current', Number(el.dataset.line) === step.line); });
      var cur = sourceDiv.querySelector('.current');
      if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: 'nearest' });
    }
    if (outputDiv && step.out !== undefined) outputDiv.textContent = data.output.slice(0, step.out);
  }

  slider.addEventListener('input', function () { show(Number(slider.value)); });
  document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('next').addEventListener('click', function () { show(current + 1); });
  document.addEventListener('keydown', function (e) { if (e.key === 'ArrowLeft') show(current - 1); if (e.key === 'ArrowRight') show(current + 1); });
  if (objectsDiv) objectsDiv.addEventListener('click', function (e) {
    var g = e.target.closest ? e.target.closest('.obj') : null;
    if (g) { selected = Number(g.dataset.id); show(current); }
  });
  var m = /step=(\d+)/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
`;
