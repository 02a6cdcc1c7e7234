/**
 * The inspector page's script, served as `/inspector.js`. Plain browser JavaScript kept as a
 * string: no build step, no framework. Headers and bodies come from whoever sent the request, so
 * every value reaches the page through `textContent`, never `innerHTML`.
 *
 * It loads `/api/deliveries`, then follows `/api/events` (Server-Sent Events) to keep the list
 * live, opens a delivery with `/api/deliveries/:id`, and replays (or, for a failed or dead
 * delivery, retries its handler now) with a same-origin POST that carries the
 * `X-Workbench-Inspector` header the server requires.
 */
export const INSPECTOR_SCRIPT = String.raw`'use strict';
(function () {
  const known = new Map();
  let verdict = 'all';
  let handler = 'all';
  let selected = null;
  let canRetry = false;
  const $ = (id) => document.getElementById(id);
  const HANDLER_TEXT = { pending: 'queued', running: 'running…', done: 'ran', failed: 'failed, will retry', dead: 'dead', duplicate: 'skipped: duplicate', 'not-run': 'not run' };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clock(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }
  function newestFirst(a, b) {
    return a.receivedAt === b.receivedAt ? (a.id < b.id ? 1 : -1) : (a.receivedAt < b.receivedAt ? 1 : -1);
  }
  function handlerText(d) {
    return (HANDLER_TEXT[d.handler] || d.handler) + (d.handlerError ? ': ' + d.handlerError : '');
  }
  async function getJson(url, init) {
    const response = await fetch(url, init);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
    return body;
  }

  function renderList() {
    const rows = Array.from(known.values()).filter((d) => (verdict === 'all' || d.verdict === verdict) && (handler === 'all' || d.handler === handler)).sort(newestFirst);
    const tbody = $('deliveries').tBodies[0];
    tbody.replaceChildren(...rows.map(row));
    $('empty').hidden = rows.length > 0;
    const which = [verdict === 'all' ? '' : verdict, handler === 'all' ? '' : 'handler ' + handler].filter(Boolean).join(', ');
    $('empty').textContent = known.size === 0 ? 'No deliveries yet. They appear here live as the listener receives them.' : 'No ' + (which || 'matching') + ' deliveries.';
  }
  function row(d) {
    const tr = el('tr');
    tr.dataset.id = d.id;
    tr.tabIndex = 0;
    tr.setAttribute('aria-selected', String(d.id === selected));
    const verdictCell = el('td');
    verdictCell.append(el('span', 'verdict verdict-' + d.verdict, d.verdict), el('span', 'reason', d.reason));
    // The event's name, then its key fields (who, which module or course, passed...) under it.
    const eventCell = el('td', '', d.event || '—');
    if (d.eventFields) eventCell.append(el('span', 'reason', d.eventFields));
    tr.append(el('td', '', clock(d.receivedAt)), eventCell, verdictCell,
      el('td', '', d.status), el('td', '', d.ackMs + ' ms'), el('td', 'handler-' + d.handler, handlerText(d)));
    tr.addEventListener('click', () => pick(d.id));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(d.id); });
    return tr;
  }

  // A row picked by hand starts fresh: the last replay's result belongs to another delivery.
  function pick(id) {
    if (id !== selected) $('replay-result').hidden = true;
    return open(id);
  }
  async function open(id) {
    selected = id;
    renderList();
    let d;
    try { d = await getJson('/api/deliveries/' + encodeURIComponent(id)); } catch (error) { return showError(error); }
    if (selected !== id) return;
    $('detail').hidden = false;
    $('detail-title').textContent = d.method + ' ' + d.url;
    const facts = [['Received', new Date(d.receivedAt).toLocaleString()], ['Event', d.event || '—'], ['Key fields', d.eventFields || '—'],
      ['Payload shape', d.payloadProblem || (d.eventFields ? 'fits the provisional ' + d.event + ' shape' : '—')],
      ['Verdict', d.verdict + ' (' + d.code + '): ' + d.reason], ['Status answered', d.status], ['Answered in', d.ackMs + ' ms'],
      ['Handler', handlerText(d)], ['From', d.remoteAddress || '—'], ['Scheme', d.scheme], ['Dedupe key', d.dedupeKey || '—']];
    if (d.attempts !== undefined) facts.push(['Handler runs', d.attempts]);
    if (d.receivedBy) facts.push(['Received by', d.receivedBy]);
    $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', '', k), el('dd', '', v)]));
    $('retry').hidden = !(canRetry && (d.handler === 'failed' || d.handler === 'dead'));
    $('headers').tBodies[0].replaceChildren(...d.headers.map(([name, value]) => {
      const tr = el('tr');
      tr.append(el('td', '', name), el('td', '', value));
      return tr;
    }));
    showBody(d.body, d.bodyBytes);
  }
  function showBody(body, bytes) {
    // A JSON body too deep or too large to lay out comes as sent, with a note saying so.
    const note = body.note ? '; ' + body.note : '';
    const kinds = { empty: '(empty)', json: '(JSON, ' + bytes + ' bytes' + note + ')', text: '(text, ' + bytes + ' bytes)', binary: '(not UTF-8, ' + bytes + ' bytes: hex, then base64)' };
    $('body-kind').textContent = kinds[body.kind];
    if (body.kind === 'binary') $('body').textContent = body.hex + (body.hexTruncated ? '\n…' : '') + '\n\nbase64:\n' + body.base64;
    else $('body').textContent = body.kind === 'empty' ? '' : body.text;
  }
  function showError(error) {
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', 'verdict-invalid', String(error.message || error)));
  }

  async function replay() {
    if (!selected) return;
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', '', 'Replaying…'));
    let r;
    try {
      r = await getJson('/api/deliveries/' + encodeURIComponent(selected) + '/replay', { method: 'POST', headers: { 'X-Workbench-Inspector': 'replay' } });
    } catch (error) { return showError(error); }
    const parts = [el('p', '', 'Replayed to ' + r.url + ': the listener answered ' + r.status + '.'),
      el('pre', 'replay-body', r.body + (r.bodyTruncated ? '\n…' : ''))];
    if (r.delivery) {
      const p = el('p', '', 'Recorded as a new delivery; handler: ' + handlerText(r.delivery) + '. ');
      if (r.delivery.handler === 'duplicate') p.append('Same bytes as before, so the listener did not run the handler again. ');
      const link = el('button', 'link', 'Open it');
      link.type = 'button';
      link.addEventListener('click', () => open(r.delivery.id));
      p.append(link);
      parts.push(p);
      known.set(r.delivery.id, r.delivery);
      renderList();
    } else {
      parts.push(el('p', 'muted', 'The replayed delivery has not shown up in the list yet.'));
    }
    box.replaceChildren(...parts);
  }

  async function retryNow() {
    if (!selected) return;
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', '', 'Queueing the handler again…'));
    let r;
    try {
      r = await getJson('/api/deliveries/' + encodeURIComponent(selected) + '/retry', { method: 'POST', headers: { 'X-Workbench-Inspector': 'retry' } });
    } catch (error) { return showError(error); }
    known.set(r.delivery.id, r.delivery);
    box.replaceChildren(el('p', '', 'Queued: the handler runs again now (handler: ' + handlerText(r.delivery) + ').'));
    renderList();
    open(r.delivery.id);
  }

  async function load() {
    const list = await getJson('/api/deliveries?verdict=' + encodeURIComponent(verdict) + (handler === 'all' ? '' : '&handler=' + encodeURIComponent(handler)));
    for (const d of list.deliveries) known.set(d.id, d);
    renderList();
  }
  function follow() {
    const status = $('connection');
    const events = new EventSource('/api/events');
    events.addEventListener('open', () => { status.textContent = 'live'; status.className = 'connection live'; load().catch(showError); });
    events.addEventListener('error', () => { status.textContent = 'reconnecting…'; status.className = 'connection down'; });
    events.addEventListener('delivery', (e) => {
      const d = JSON.parse(e.data);
      known.set(d.id, d);
      renderList();
      if (d.id === selected) open(d.id);
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    getJson('/api/info').then((info) => {
      $('listener-url').textContent = info.listenerUrl;
      if (info.engine) $('store').textContent = '(store: ' + info.engine + ', ' + info.location + ')';
      canRetry = info.retryNow === true;
    }).catch(showError);
    for (const input of document.querySelectorAll('input[name="verdict"]')) {
      input.addEventListener('change', () => { verdict = input.value; renderList(); load().catch(showError); });
    }
    $('handler-filter').addEventListener('change', (e) => { handler = e.target.value; renderList(); load().catch(showError); });
    $('replay').addEventListener('click', replay);
    $('retry').addEventListener('click', retryNow);
    follow();
  });
})();
`;
