/**
 * The inspector page's script, served as `/inspector.js`. Plain browser JavaScript kept as a
 * string: no build step, no framework. Headers and bodies come from whoever sent the request, so
 * every value reaches the page through `textContent`, never `innerHTML`.
 *
 * It loads `/api/deliveries`, then follows `/api/events` (Server-Sent Events) to keep the list
 * live, opens a delivery with `/api/deliveries/:id` (its request, the listener's answer and, when
 * the handler forwards, each try at the user's app with the app's answer), and replays (or, for a
 * failed or dead delivery, retries its handler now) with a same-origin POST that carries the
 * `X-Workbench-Inspector` header the server requires.
 */
import { PAGE_CLOCK_FUNCTION, PAGE_ELEMENT_FUNCTION } from '../../core/index.ts';
import { LIST_LIMIT } from '../view.ts';

export const INSPECTOR_SCRIPT = String.raw`'use strict';
(function () {
  const LIST_LIMIT = ${LIST_LIMIT};
  const known = new Map();
  let verdict = 'all';
  let handler = 'all';
  let selected = null;
  let canRetry = false;
  let loaded = false;
  // The request body as re-indented ('pretty') or exactly as received ('raw'); kept across deliveries.
  let bodyMode = 'pretty';
  let shownBody = null;
  const $ = (id) => document.getElementById(id);
  const HANDLER_TEXT = { pending: 'queued', running: 'running…', done: 'ran', failed: 'failed, will retry', dead: 'dead', duplicate: 'skipped: duplicate', 'not-run': 'not run' };

  // Shared with the other local page (core/page-snippets.ts): el() and the one time format, when().
  ${PAGE_ELEMENT_FUNCTION}
  ${PAGE_CLOCK_FUNCTION}
  function newestFirst(a, b) {
    return a.receivedAt === b.receivedAt ? (a.id < b.id ? 1 : -1) : (a.receivedAt < b.receivedAt ? 1 : -1);
  }
  // With forwarding, the list says what the user's app answered (the detail has the whole error).
  function handlerText(d) {
    const f = d.forward;
    if (f && (d.handler === 'done' || d.handler === 'failed' || d.handler === 'dead')) {
      const answer = typeof f.status === 'number' ? String(f.status) : 'no answer';
      const tries = f.attempts === 1 ? '1 try' : f.attempts + ' tries';
      if (d.handler === 'done') return 'forwarded: ' + answer + (f.attempts === 1 ? '' : ' after ' + tries);
      return (d.handler === 'dead' ? 'forward dead: ' : 'forward failed, will retry: ') + answer + ' (' + tries + ')';
    }
    return handlerState(d);
  }
  function handlerState(d) {
    return (HANDLER_TEXT[d.handler] || d.handler) + (d.handlerError ? ': ' + d.handlerError : '');
  }
  // "1,048,576 bytes (1.0 MiB)": a size in bytes is what the sender's Content-Length says; MiB is what a reader takes in.
  function size(bytes) {
    const exact = bytes.toLocaleString('en-US') + ' bytes';
    return bytes < 1024 * 1024 ? exact : exact + ' (' + (bytes / 1024 / 1024).toFixed(1) + ' MiB)';
  }
  function ok(status) { return status >= 200 && status < 300; }
  function headerRows(table, pairs) {
    table.tBodies[0].replaceChildren(...pairs.map(([name, value]) => {
      const tr = el('tr');
      tr.append(el('td', '', name), el('td', '', value));
      return tr;
    }));
  }
  // What a stopped inspector looks like from here: fetch says only "Failed to fetch".
  const NOT_ANSWERING = 'The inspector is not answering: is step 3 (or npm run inspector) still running? Once it runs again, this page reconnects by itself.';
  async function getJson(url, init) {
    let response;
    try { response = await fetch(url, init); } catch { throw new Error(NOT_ANSWERING); }
    let body;
    try { body = await response.json(); } catch { throw new Error('The inspector answered ' + response.status + ' without JSON.'); }
    if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
    return body;
  }

  // Live deliveries come as fast as anyone sends them to the tunnel: the list is drawn once per
  // frame, not once per event, and only the newest LIST_LIMIT are kept (as many as /api/deliveries
  // sends), plus those the filter shows. Before, a flood of 1500 froze the page.
  let drawing = false;
  function renderSoon() {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => { drawing = false; renderList(); });
  }
  function renderList() {
    const all = Array.from(known.values()).sort(newestFirst);
    const rows = all.filter((d) => (verdict === 'all' || d.verdict === verdict) && (handler === 'all' || d.handler === handler)).slice(0, LIST_LIMIT);
    const keep = new Set(rows.concat(all.slice(0, LIST_LIMIT)));
    if (keep.size < known.size) for (const d of all) if (!keep.has(d)) known.delete(d.id);
    const tbody = $('deliveries').tBodies[0];
    // The rows are new elements: the one that had the keyboard focus gets it back, or it would fall
    // to the page at every Enter and every live delivery, and a keyboard user would lose their place.
    const focused = tbody.contains(document.activeElement) ? document.activeElement.dataset.id : undefined;
    tbody.replaceChildren(...rows.flatMap(row));
    if (focused !== undefined) {
      const again = Array.from(tbody.rows).find((tr) => tr.dataset.id === focused && tr.classList.contains('delivery'));
      if (again) again.focus({ preventScroll: true });
    }
    $('empty').hidden = rows.length > 0;
    const which = [verdict === 'all' ? '' : verdict, handler === 'all' ? '' : 'handler ' + handler].filter(Boolean).join(', ');
    // Before the first answer nothing is known: "No deliveries yet" would be a claim.
    $('empty').textContent = !loaded ? 'Loading deliveries…'
      : known.size === 0 ? 'No deliveries yet. They appear here live as the listener receives them.' : 'No ' + (which || 'matching') + ' deliveries.';
  }
  // A delivery's row, and for a refused one its diagnosis on a line of its own below, as wide as the table.
  function row(d) {
    const tr = el('tr', 'delivery');
    tr.dataset.id = d.id;
    tr.tabIndex = 0;
    tr.setAttribute('aria-selected', String(d.id === selected));
    // The event's name, then its key fields (who, which module or course, passed...) under it.
    const eventCell = el('td', '', d.event || '—');
    if (d.eventFields) eventCell.append(el('span', 'reason', d.eventFields));
    tr.append(el('td', '', when(d.receivedAt)), eventCell, el('td', 'verdict verdict-' + d.verdict, d.verdict),
      el('td', '', d.status), el('td', '', d.ackMs + ' ms'), el('td', 'handler-' + d.handler, handlerText(d)));
    tr.addEventListener('click', () => pick(d.id));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') pick(d.id); });
    if (d.code === 'ok') return [tr];
    tr.classList.add('has-diagnosis');
    const diagnosis = el('tr', 'diagnosis');
    const cell = el('td', '', d.code + ': ' + d.reason);
    cell.colSpan = 6;
    diagnosis.append(cell);
    diagnosis.addEventListener('click', () => pick(d.id));
    return [tr, diagnosis];
  }

  // A row picked by hand starts fresh: the last replay's result belongs to another delivery.
  function pick(id) {
    if (id !== selected) $('replay-result').hidden = true;
    return open(id);
  }
  // Each opening is numbered: a delivery that changes is fetched again at each change, and an
  // older answer that comes in last must not put back a state long gone ("running…" once done).
  let opening = 0;
  async function open(id) {
    selected = id;
    const mine = ++opening;
    renderList();
    let d;
    try {
      d = await getJson('/api/deliveries/' + encodeURIComponent(id));
    } catch (error) {
      if (mine === opening) showError(error);
      return;
    }
    if (mine !== opening) return;
    $('detail-hint').hidden = true;
    $('detail-body').hidden = false;
    $('page-error').hidden = true;
    $('detail-title').textContent = d.method + ' ' + d.url;
    const facts = [['Received', when(d.receivedAt)], ['Event', d.event || '—'], ['Key fields', d.eventFields || '—'],
      ['Payload shape', d.payloadProblem || (d.eventFields ? 'fits the provisional ' + d.event + ' shape' : '—')],
      ['Verdict', d.verdict + ' (' + d.code + '): ' + d.reason], ['Status answered', d.status], ['Answered in', d.ackMs + ' ms'],
      ['Handler', handlerState(d)], ['From', d.remoteAddress || '—'], ['Scheme', d.scheme], ['Dedupe key', d.dedupeKey || '—']];
    if (d.attempts !== undefined) facts.push(['Handler runs', d.attempts]);
    if (d.receivedBy) facts.push(['Received by', d.receivedBy]);
    $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', '', k), el('dd', '', v)]));
    $('retry').hidden = !(canRetry && (d.handler === 'failed' || d.handler === 'dead'));
    headerRows($('headers'), d.headers);
    shownBody = { body: d.body, bytes: d.bodyBytes };
    // The exact bytes, as a file: the body below is only their first MiB when they are more.
    $('body-download').href = '/api/deliveries/' + encodeURIComponent(id) + '/body';
    $('body-download').hidden = d.body.kind === 'empty' || d.body.kind === 'not-kept';
    showBody();
    showResponse(d.response);
    showForwards(d.forwards);
  }
  function showBody() {
    if (!shownBody) return;
    const { body, bytes } = shownBody;
    // A JSON body too deep or too large to lay out comes as sent, with a note saying so.
    const note = body.note ? '; ' + body.note : '';
    // A body longer than the preview comes as its start only: say how much, and where the rest is.
    const cut = body.shownBytes === undefined ? '' : '; only the first ' + size(body.shownBytes) + ' shown, Download has them all';
    const kinds = { empty: '(empty)', json: '(JSON, ' + size(bytes) + note + ')', text: '(text, ' + size(bytes) + ', as received' + note + cut + ')',
      binary: '(not UTF-8, ' + size(bytes) + ': hex, then base64' + cut + ')', 'not-kept': '(not kept: the listener refused these ' + size(bytes) + ' unread)' };
    $('body-kind').textContent = kinds[body.kind];
    // Pretty and Raw differ only for JSON: any other body is shown as received already.
    $('body-views').hidden = body.kind !== 'json';
    $('view-pretty').setAttribute('aria-pressed', String(bodyMode === 'pretty'));
    $('view-raw').setAttribute('aria-pressed', String(bodyMode === 'raw'));
    if (body.kind === 'binary') $('body').textContent = body.hex + (body.hexTruncated ? '\n…' : '') + '\n\nbase64:\n' + body.base64;
    // A body not laid out comes once, as sent: Raw and Pretty are then the same text.
    else if (body.kind === 'json') $('body').textContent = bodyMode === 'raw' && body.raw !== undefined ? body.raw : body.text;
    else $('body').textContent = body.kind === 'empty' || body.kind === 'not-kept' ? '' : body.text;
  }
  function setBodyMode(mode) {
    bodyMode = mode;
    showBody();
  }
  function showResponse(r) {
    $('response').hidden = !r;
    $('response-status').textContent = r ? '(' + r.status + ', as stored before it was sent; Node adds Date and Connection)' : '(not recorded: stored by an earlier version)';
    if (!r) return;
    headerRows($('response-headers'), r.headers);
    $('response-body').textContent = r.body;
  }
  function showForwards(f) {
    $('forward').hidden = !f;
    if (!f) return;
    $('forward-summary').textContent = '(' + (f.attempts === 1 ? '1 try' : f.attempts + ' tries') + (f.attempts > f.recent.length ? ', the last ' + f.recent.length + ' kept' : '') + ')';
    $('forward-attempts').tBodies[0].replaceChildren(...f.recent.slice().reverse().map((a) => {
      const tr = el('tr');
      const answer = a.response ? String(a.response.status) : a.error;
      tr.append(el('td', '', a.number), el('td', '', when(a.at)), el('td', a.response && ok(a.response.status) ? '' : 'answer-bad', answer), el('td', '', a.latencyMs + ' ms'));
      return tr;
    }));
    const last = f.recent[f.recent.length - 1];
    const answered = last && last.response;
    $('forward-last').textContent = !last ? '' : answered ? 'Try ' + last.number + ' to ' + last.url + ': your app answered ' + last.response.status + ' in ' + last.latencyMs + ' ms.'
      : 'Try ' + last.number + ' to ' + last.url + ': no answer (' + last.error + ').';
    $('forward-headers').hidden = !answered;
    $('forward-body').hidden = !answered;
    if (!answered) return;
    headerRows($('forward-headers'), last.response.headers);
    $('forward-body').textContent = last.response.body + (last.response.bodyTruncated ? '\n… (only the first 4 KiB is kept)' : '');
  }
  // Under the open delivery when there is one; otherwise at the top of the page: the detail pane
  // is hidden until a delivery opens, and an error put there was never seen.
  function showError(error) {
    if ($('detail-body').hidden) return showPageError(error);
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', 'verdict-invalid', String(error.message || error)));
  }
  function showPageError(error) {
    $('page-error').hidden = false;
    $('page-error').textContent = String(error.message || error);
  }

  // A second click before the first one's answer sent the action again: two replays (two more
  // copies at the user's app when it forwards), or Retry now's 409 over the first one's "Queued".
  async function oneAtATime(button, action) {
    if (button.disabled) return;
    button.disabled = true;
    try { await action(); } finally { button.disabled = false; }
  }
  // An action's answer belongs to the delivery it was for: once another is open, it is not shown
  // there (the list still takes the delivery it returns), nor does it open the first one again.
  async function replay() {
    const id = selected;
    if (!id) return;
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', '', 'Replaying…'));
    let r;
    try {
      r = await getJson('/api/deliveries/' + encodeURIComponent(id) + '/replay', { method: 'POST', headers: { 'X-Workbench-Inspector': 'replay' } });
    } catch (error) { return selected === id ? showError(error) : undefined; }
    if (selected !== id) {
      if (r.delivery) { remember(r.delivery); renderSoon(); }
      return;
    }
    const parts = [el('p', '', 'Replayed to ' + r.url + ': the listener answered ' + r.status + '.'),
      el('pre', 'replay-body', r.body + (r.bodyTruncated ? '\n…' : ''))];
    if (r.delivery) {
      const p = el('p', '', 'Recorded as a new delivery; handler: ' + handlerText(r.delivery) + '. ');
      if (r.forward && r.forward.queued) p.append('Forwarding it to ' + r.forward.to + ' again: your app\'s answer shows on the delivery. ');
      else if (r.forward) p.append('Not forwarded again: ' + r.forward.message + ' ');
      else if (r.delivery.handler === 'duplicate') p.append('Same bytes as before, so the listener did not run the handler again. ');
      const link = el('button', 'link', 'Open it');
      link.type = 'button';
      link.addEventListener('click', () => open(r.delivery.id));
      p.append(link);
      parts.push(p);
      remember(r.delivery);
      renderList();
    } else {
      parts.push(el('p', 'muted', 'The replayed delivery has not shown up in the list yet.'));
    }
    box.replaceChildren(...parts);
  }

  async function retryNow() {
    const id = selected;
    if (!id) return;
    const box = $('replay-result');
    box.hidden = false;
    box.replaceChildren(el('p', '', 'Queueing the handler again…'));
    let r;
    try {
      r = await getJson('/api/deliveries/' + encodeURIComponent(id) + '/retry', { method: 'POST', headers: { 'X-Workbench-Inspector': 'retry' } });
    } catch (error) { return selected === id ? showError(error) : undefined; }
    remember(r.delivery);
    if (selected !== id) return renderSoon();
    box.replaceChildren(el('p', '', 'Queued: the handler runs again now (handler: ' + handlerText(r.delivery) + ').'));
    renderList();
    open(r.delivery.id);
  }

  // The ids each list on its way must not overwrite: a delivery that changed live (or by Replay or
  // Retry now) after the list was asked for is newer here than there (a filter click while handlers run).
  const changedSince = new Set();
  function remember(d) {
    known.set(d.id, d);
    for (const changed of changedSince) changed.add(d.id);
  }
  async function load() {
    const changed = new Set();
    changedSince.add(changed);
    let list;
    try {
      list = await getJson('/api/deliveries?verdict=' + encodeURIComponent(verdict) + (handler === 'all' ? '' : '&handler=' + encodeURIComponent(handler)));
    } finally {
      changedSince.delete(changed);
    }
    for (const d of list.deliveries) if (!changed.has(d.id)) known.set(d.id, d);
    loaded = true;
    renderList();
  }
  function follow() {
    const status = $('connection');
    const events = new EventSource('/api/events');
    events.addEventListener('open', () => {
      status.textContent = 'live';
      status.className = 'connection live';
      $('page-error').hidden = true;
      load().catch(showPageError);
    });
    // EventSource tries again by itself after a lost connection, but gives up for good on an answer
    // that is not an event stream (another program on the port): then only a reload helps.
    events.addEventListener('error', () => {
      status.textContent = events.readyState === EventSource.CLOSED ? 'disconnected: reload the page once the inspector runs again'
        : 'disconnected: is step 3 (or npm run inspector) still running? Trying again…';
      status.className = 'connection down';
    });
    events.addEventListener('delivery', (e) => {
      const d = JSON.parse(e.data);
      remember(d);
      renderSoon();
      if (d.id === selected) open(d.id);
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    getJson('/api/info').then((info) => {
      $('listener-url').textContent = info.listenerUrl;
      if (info.engine) $('store').textContent = '(store: ' + info.engine + ', ' + info.location + ')';
      if (info.forwardTo) {
        $('forward-to').textContent = info.forwardTo;
        $('forwarding').hidden = false;
      }
      canRetry = info.retryNow === true;
    }).catch(showPageError);
    for (const input of document.querySelectorAll('input[name="verdict"]')) {
      input.addEventListener('change', () => { verdict = input.value; renderList(); load().catch(showPageError); });
    }
    $('handler-filter').addEventListener('change', (e) => { handler = e.target.value; renderList(); load().catch(showPageError); });
    $('replay').addEventListener('click', () => oneAtATime($('replay'), replay));
    $('view-pretty').addEventListener('click', () => setBodyMode('pretty'));
    $('view-raw').addEventListener('click', () => setBodyMode('raw'));
    $('retry').addEventListener('click', () => oneAtATime($('retry'), retryNow));
    follow();
  });
})();
`;
