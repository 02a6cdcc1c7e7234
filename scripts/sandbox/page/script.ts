/**
 * The delivery log page's script, served as `/sandbox/page.js`. Plain browser JavaScript kept as a
 * string: no build step, no framework. Response headers and bodies come from whatever answered the
 * delivery, so every value reaches the page through `textContent`, never `innerHTML`.
 *
 * It loads `/sandbox/subscriptions`, `/sandbox/users` and `/sandbox/deliveries`, then follows
 * `/sandbox/events` (Server-Sent Events) to stay live, and resends or cancels with a same-origin
 * POST carrying the `X-Workbench-Sandbox` header the sandbox requires.
 */
import { PAGE_CLOCK_FUNCTION, PAGE_ELEMENT_FUNCTION } from '../../../steps/lib/core/index.ts';
import { PAGE_LIST_LIMIT } from '../delivery-view.ts';

export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  const deliveries = new Map();
  let selected = null;
  let loaded = false;
  // Only the newest deliveries are listed (thousands pending made a list of tens of MB and a
  // frozen table); ?limit=N in the page's address lists another number. total: how many there are.
  const asked = new URLSearchParams(location.search).get('limit');
  const limit = asked !== null && /^[1-9][0-9]{0,8}$/.test(asked) ? Number(asked) : ${PAGE_LIST_LIMIT};
  let total = 0;
  const $ = (id) => document.getElementById(id);

  // Shared with the other local page (core/page-snippets.ts): el() and the one time format, when().
  ${PAGE_ELEMENT_FUNCTION}
  ${PAGE_CLOCK_FUNCTION}
  function row(cells) {
    const tr = el('tr');
    for (const cell of cells) tr.append(cell instanceof Node ? cell : el('td', '', cell));
    return tr;
  }
  function ok(status) { return status !== null && status >= 200 && status < 300; }
  function lastAnswer(d) {
    if (d.inFlight) return { text: 'sending…', className: 'answer-wait' };
    const last = d.attemptLog[d.attemptLog.length - 1];
    if (!last) return { text: '—', className: '' };
    if (last.response) return { text: String(last.response.status) + ' in ' + last.latencyMs + ' ms', className: ok(last.response.status) ? '' : 'answer-bad' };
    return { text: last.error, className: 'answer-bad' };
  }
  function statusCell(d) {
    const td = el('td');
    td.append(el('span', 'status status-' + d.status, d.status));
    const note = d.reason || (d.status === 'pending' && d.nextAttemptAt && !d.inFlight ? 'next attempt ' + when(d.nextAttemptAt) : '');
    if (note) td.append(el('span', 'reason', note));
    return td;
  }
  async function getList() {
    const response = await fetch('/sandbox/deliveries?limit=' + limit);
    const list = await response.json();
    if (!response.ok) throw new Error(list.error || ('HTTP ' + response.status));
    return { list, total: Number(response.headers.get('x-total-count')) || list.length };
  }
  async function getJson(url, init) {
    const response = await fetch(url, init);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
    return body;
  }

  function renderSubscriptions(list) {
    $('subscriptions').tBodies[0].replaceChildren(...list.map((s) => row([s.eventname, el('td', 'mono', s.target), s.active ? 'yes' : 'no', el('td', 'mono', s.secret), when(s.modified)])));
    $('no-subscriptions').hidden = list.length > 0;
  }
  function renderUsers(list) {
    $('users').tBodies[0].replaceChildren(...list.map((u) => row([u.userkey, u.username, when(u.created)])));
    $('no-users').hidden = list.length > 0;
  }
  function newestFirst(a, b) {
    return a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : (a.createdAt < b.createdAt ? 1 : -1);
  }
  function renderDeliveries() {
    const list = Array.from(deliveries.values()).sort(newestFirst);
    // The rows are rebuilt: the focused one takes its focus along, or a keyboard user loses their
    // place (and Enter its row) at every live event.
    const focused = document.activeElement instanceof Element ? document.activeElement.closest('#deliveries tr[data-id]') : null;
    $('deliveries').tBodies[0].replaceChildren(...list.map((d) => {
      const answer = lastAnswer(d);
      const tr = row([when(d.createdAt), d.eventname, statusCell(d), d.attempts, el('td', answer.className, answer.text), el('td', 'mono', d.target)]);
      tr.dataset.id = d.id;
      tr.tabIndex = 0;
      tr.setAttribute('aria-selected', String(d.id === selected));
      return tr;
    }));
    const again = focused && Array.from($('deliveries').tBodies[0].rows).find((tr) => tr.dataset.id === focused.dataset.id);
    if (again) again.focus({ preventScroll: true });
    $('no-deliveries').hidden = list.length > 0;
    $('no-deliveries').textContent = loaded ? 'No deliveries yet. They appear here live when a user is created or deleted.' : 'Loading…';
    $('deliveries-shown').hidden = total <= list.length;
    $('deliveries-shown').textContent = 'Showing the newest ' + list.length + ' of ' + total + ' deliveries.';
  }
  function oldestShown() {
    let oldest = null;
    for (const d of deliveries.values()) if (oldest === null || newestFirst(d, oldest) > 0) oldest = d;
    return oldest;
  }
  // A live event for a delivery the list does not have is either a new one (newer than every row)
  // or an older one left out; only a new one comes in, and then the oldest row (unless open) goes.
  function receive(d) {
    if (!deliveries.has(d.id)) {
      const oldest = oldestShown();
      if (deliveries.size >= limit && oldest !== null && newestFirst(d, oldest) > 0) return false;
      total += 1;
      if (deliveries.size >= limit) {
        const dropped = Array.from(deliveries.values()).filter((x) => x.id !== selected).sort(newestFirst).pop();
        if (dropped) deliveries.delete(dropped.id);
      }
    }
    deliveries.set(d.id, d);
    return true;
  }

  function pick(id) {
    if (id !== selected) $('action-result').hidden = true;
    selected = id;
    renderDeliveries();
    renderDetail();
  }
  function renderDetail() {
    const d = deliveries.get(selected);
    $('pick').hidden = !!d;
    $('delivery').hidden = !d;
    if (!d) return;
    $('detail-title').textContent = d.eventname + ' → ' + d.target;
    const facts = [['Id', d.id], ['Status', d.status + (d.reason ? ': ' + d.reason : '')], ['Created', when(d.createdAt)],
      ['Attempts', d.attempts + (d.inFlight ? ' (one on its way)' : '')], ['Next attempt', d.status === 'pending' ? when(d.nextAttemptAt) : '—'],
      ['Delivered', when(d.deliveredAt)]];
    $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', '', k), el('dd', '', v)]));
    $('resend').disabled = d.inFlight;
    $('cancel').disabled = d.status !== 'pending';
    $('request-headers').tBodies[0].replaceChildren(...d.request.headers.map(([name, value]) => row([name, value])));
    $('request-body').textContent = d.request.body;
    const shown = d.attemptLog.length;
    $('attempts-note').textContent = d.attempts > shown ? '(the last ' + shown + ' of ' + d.attempts + ', newest first)' : '(newest first)';
    $('attempts').replaceChildren(...d.attemptLog.slice().reverse().map(attemptItem));
  }
  function attemptItem(a) {
    const good = a.response && ok(a.response.status);
    const li = el('li', 'attempt ' + (good ? 'ok' : 'bad'));
    li.dataset.number = a.number;
    const outcome = a.response ? 'answered ' + a.response.status : 'no answer: ' + a.error;
    li.append(el('p', '', '#' + a.number + ' · ' + when(a.at) + ' · ' + (a.trigger === 'resend' ? 'resend' : 'scheduled') + ' · ' + outcome + ' · ' + a.latencyMs + ' ms'));
    if (a.response) {
      const table = el('table');
      table.append(el('tbody'));
      table.tBodies[0].replaceChildren(...a.response.headers.map(([name, value]) => row([name, value])));
      li.append(table, el('pre', 'answer-body', a.response.body + (a.response.bodyTruncated ? '\n… (cut: only the start of the answer is kept: 4 KiB of the newest, 256 bytes of earlier ones)' : '')));
    }
    return li;
  }

  function showResult(text, bad) {
    const box = $('action-result');
    box.hidden = false;
    box.className = 'action-result' + (bad ? ' answer-bad' : '');
    box.textContent = text;
  }
  async function act(action) {
    const id = selected;
    if (!id) return;
    showResult(action === 'resend' ? 'Resending…' : 'Cancelling…', false);
    let d;
    try {
      d = await getJson('/sandbox/deliveries/' + encodeURIComponent(id) + '/' + action, { method: 'POST', headers: { 'X-Workbench-Sandbox': action } });
    } catch (error) { return showResult(String(error.message || error), true); }
    deliveries.set(d.id, d);
    renderDeliveries();
    if (selected === id) renderDetail();
    if (action === 'cancel') return showResult('Cancelled: no more attempts will be made.', false);
    const last = d.attemptLog[d.attemptLog.length - 1];
    showResult('Resent: attempt ' + last.number + ' ' + (last.response ? 'answered ' + last.response.status : 'got no answer: ' + last.error) + ' in ' + last.latencyMs + ' ms.', !(last.response && ok(last.response.status)));
  }

  // Events come in bursts (a deactivated subscription cancels every pending delivery at once; a
  // restart resumes thousands), and each redraw rebuilds every row: draw once per frame, not once
  // per event, or a long log freezes the tab.
  let frame = 0;
  let detailChanged = false;
  function renderSoon(detail) {
    detailChanged = detailChanged || detail;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderDeliveries();
      if (detailChanged) renderDetail();
      detailChanged = false;
    });
  }

  // The feed is followed first and the lists loaded once it is open, so no change falls between
  // them; but a change that comes on the feed while the lists are on their way is newer than them.
  // Such events wait (arriving) and are applied after the lists, not overwritten by them.
  let arriving = null;
  async function load() {
    const queue = [];
    arriving = queue;
    try {
      const [subscriptions, users, newest] = await Promise.all([getJson('/sandbox/subscriptions'), getJson('/sandbox/users'), getList()]);
      renderSubscriptions(subscriptions);
      renderUsers(users);
      deliveries.clear();
      for (const d of newest.list) deliveries.set(d.id, d);
      total = newest.total;
      loaded = true;
      renderDeliveries();
      renderDetail();
    } finally {
      if (arriving === queue) arriving = null;
      for (const apply of queue) apply();
    }
  }
  function live(apply) {
    return (e) => {
      const data = JSON.parse(e.data);
      if (arriving) arriving.push(() => apply(data));
      else apply(data);
    };
  }
  function follow() {
    const status = $('connection');
    const events = new EventSource('/sandbox/events');
    events.addEventListener('open', () => { status.textContent = 'live'; status.className = 'connection live'; load().catch((e) => showResult(String(e.message || e), true)); });
    events.addEventListener('error', () => { status.textContent = 'reconnecting…'; status.className = 'connection down'; });
    events.addEventListener('delivery', live((d) => { if (receive(d)) renderSoon(d.id === selected); }));
    events.addEventListener('users', live(renderUsers));
    events.addEventListener('subscriptions', live(renderSubscriptions));
  }

  // A row is picked when it is pressed, not on 'click': every redraw replaces the rows, and a
  // browser fires no click when the element pressed is gone by the release, so a click on a
  // delivery being retried (a redraw every attempt) was often lost. Listening on the table body,
  // which is never replaced, also covers rows drawn after the listener was added.
  function rowOf(e) { return e.target instanceof Element ? e.target.closest('tr[data-id]') : null; }
  function listenForPicks() {
    const body = $('deliveries').tBodies[0];
    body.addEventListener('mousedown', (e) => { const tr = rowOf(e); if (tr && e.button === 0) pick(tr.dataset.id); });
    body.addEventListener('keydown', (e) => { const tr = rowOf(e); if (tr && e.key === 'Enter') pick(tr.dataset.id); });
  }

  document.addEventListener('DOMContentLoaded', () => {
    listenForPicks();
    $('resend').addEventListener('click', () => act('resend'));
    $('cancel').addEventListener('click', () => act('cancel'));
    renderDeliveries();
    follow();
  });
})();
`;
