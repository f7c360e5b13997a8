// The table webview (see src/extension/preview/protocol.ts for the messages).
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const $ = id => /** @type {HTMLElement} */ (document.getElementById(id));

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function render(msg) {
    $('title').textContent = msg.title;
    $('source').textContent = msg.source;
    const problems = $('problems');
    problems.replaceChildren(...msg.problems.map(p => el('li', `line ${p.line}: ${p.message}`)));
    const grid = /** @type {HTMLTableElement} */ ($('grid'));
    const head = el('tr');
    head.append(el('th', 'line', 'line'));
    for (const c of msg.columns) {
      const th = el('th');
      th.append(el('span', c.name, 'name'), el('span', c.types.join(' | ') + (c.nullable ? '?' : ''), 'type'));
      th.title = `${c.name}: ${c.types.join(' | ') || 'null only'}${c.nullable ? ' (nullable)' : ''}`;
      head.append(th);
    }
    grid.tHead?.replaceChildren(head);
    const body = grid.tBodies[0];
    body.replaceChildren(...msg.rows.map(r => {
      const tr = el('tr');
      tr.append(el('td', String(r.line), 'line'));
      for (const v of r.cells) tr.append(el('td', v, v === 'null' ? 'null' : undefined));
      return tr;
    }));
    if (!msg.complete) {
      const tr = el('tr');
      const td = el('td', `… first ${msg.rows.length} records only (setting asappExports.preview.records)`, 'more');
      td.setAttribute('colspan', String(msg.columns.length + 1));
      tr.append(td);
      body.append(tr);
    }
    vscode.postMessage({ type: 'rendered', rows: msg.rows.length, columns: msg.columns.length, headers: msg.columns.map(c => c.name) });
  }

  window.addEventListener('message', e => { if (e.data && e.data.type === 'show') render(e.data); });
  vscode.postMessage({ type: 'ready' });
})();
