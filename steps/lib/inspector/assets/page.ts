/**
 * The inspector's page: static HTML and CSS, no templating (nothing from a delivery is ever put
 * into markup on the server; the script fills the page with `textContent`). Served with the
 * Content-Security-Policy below, which allows only this server's own script, style and API.
 */
import { LOCAL_PAGE_CSP, PAGE_BASE_CSS } from '../../core/index.ts';

/** Allows the page's own `/inspector.js`, `/inspector.css` and API; no inline code, frames, forms or other hosts (core's local-page policy). */
export const INSPECTOR_CSP = LOCAL_PAGE_CSP;

export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Webhook inspector</title>
<link rel="stylesheet" href="/inspector.css">
<script src="/inspector.js" defer></script>
</head>
<body>
<header>
  <h1>Webhook inspector</h1>
  <p class="target">Deliveries received by <code id="listener-url">the listener</code><span id="forwarding" hidden>, forwarded to <code id="forward-to"></code></span> <span id="store" class="muted"></span></p>
  <p id="connection" class="connection" role="status">connecting…</p>
  <p id="page-error" class="page-error" role="alert" hidden></p>
</header>
<main>
  <section class="list" aria-labelledby="list-title">
    <div class="toolbar">
      <h2 id="list-title">Deliveries</h2>
      <fieldset class="filter">
        <legend>Verdict</legend>
        <label><input type="radio" name="verdict" value="all" checked> All</label>
        <label><input type="radio" name="verdict" value="valid"> Valid</label>
        <label><input type="radio" name="verdict" value="invalid"> Invalid</label>
        <label><input type="radio" name="verdict" value="rejected"> Rejected</label>
      </fieldset>
      <label class="filter">Handler
        <select id="handler-filter" name="handler">
          <option value="all" selected>any</option>
          <option value="pending">pending</option>
          <option value="running">running</option>
          <option value="done">done</option>
          <option value="failed">failed</option>
          <option value="dead">dead</option>
          <option value="duplicate">duplicate</option>
          <option value="not-run">not run</option>
        </select>
      </label>
    </div>
    <table id="deliveries">
      <thead><tr><th>Time</th><th>Event</th><th>Verdict</th><th>Status</th><th>Answered in</th><th>Handler</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" class="empty">Loading deliveries…</p>
  </section>
  <section id="detail" class="detail" aria-label="Delivery">
    <p id="detail-hint" class="hint">Select a delivery to see its request, the listener's answer and, when it forwards, your app's.</p>
    <div id="detail-body" hidden>
      <div class="toolbar">
        <h2 id="detail-title">Delivery</h2>
        <button id="replay" type="button">Replay</button>
        <button id="retry" type="button" hidden>Retry now</button>
      </div>
      <dl id="facts"></dl>
      <section id="replay-result" class="replay-result" aria-live="polite" hidden></section>
      <h3>Request headers</h3>
      <table id="headers"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody></tbody></table>
      <div class="body-head">
        <h3>Request body <span id="body-kind" class="muted"></span></h3>
        <a id="body-download" download hidden>Download</a>
        <div id="body-views" class="views" role="group" aria-label="Body view">
          <button id="view-pretty" type="button" aria-pressed="true">Pretty</button>
          <button id="view-raw" type="button" aria-pressed="false">Raw</button>
        </div>
      </div>
      <pre id="body"></pre>
      <h3>Listener's answer <span id="response-status" class="muted"></span></h3>
      <div id="response">
        <table id="response-headers"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody></tbody></table>
        <pre id="response-body"></pre>
      </div>
      <section id="forward" hidden>
        <h3>Your app's answer <span id="forward-summary" class="muted"></span></h3>
        <table id="forward-attempts"><thead><tr><th>Try</th><th>Sent</th><th>Answer</th><th>Took</th></tr></thead><tbody></tbody></table>
        <p id="forward-last" class="muted"></p>
        <table id="forward-headers"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody></tbody></table>
        <pre id="forward-body"></pre>
      </section>
    </div>
  </section>
</main>
</body>
</html>
`;

export const INSPECTOR_CSS = `
${PAGE_BASE_CSS}h2 { font-size: 1rem; margin: 0; }
h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
.target { margin: 0; flex: 1; }
.connection { margin: 0; font-size: .85rem; }
.connection.live { color: var(--ok); }
.connection.down { color: var(--bad); }
.page-error { margin: 0; color: var(--bad); }
main { display: grid; grid-template-columns: minmax(28rem, 1fr) minmax(24rem, 1fr); min-height: calc(100vh - 3rem); }
section.list { border-right: 1px solid var(--line); overflow: auto; }
section.detail { padding: 0 1rem 1rem; overflow: auto; }
.toolbar { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; position: sticky; top: 0; background: Canvas; }
.detail .toolbar { padding-inline: 0; }
/* The sender picks the URL: one long word in the title would push Replay and Retry now off the screen. */
#detail-title { min-width: 0; overflow-wrap: anywhere; }
.detail .toolbar button { flex-shrink: 0; }
.filter { border: 0; margin: 0; padding: 0; display: flex; gap: .6rem; }
.filter legend { float: left; margin-right: .4rem; color: GrayText; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
#deliveries tbody tr { cursor: pointer; }
#deliveries td:first-child { white-space: nowrap; }
/* Key fields are the sender's words: a long one wraps in its cell instead of widening the list past its column. */
#deliveries td { overflow-wrap: anywhere; }
#deliveries tbody tr:hover { background: var(--pick); }
/* The keyboard's place must not look like the mouse's: an outline of its own, only when the keyboard moved it. */
#deliveries tbody tr:focus { outline: none; }
#deliveries tbody tr:focus-visible { outline: 2px solid #0969da; outline-offset: -2px; }
#deliveries tbody tr[aria-selected="true"] { background: var(--pick); box-shadow: inset 3px 0 #0969da; }
.reason { display: block; font-size: .8rem; color: GrayText; }
/* A refusal's diagnosis: a line of its own under the row, as wide as the table, wrapping there. */
#deliveries tr.has-diagnosis td { border-bottom: 0; }
#deliveries tr.diagnosis td { padding-top: 0; font-size: .8rem; color: GrayText; overflow-wrap: anywhere; }
.verdict { font-weight: 600; }
.verdict-valid { color: var(--ok); }
.verdict-invalid, .verdict-rejected { color: var(--bad); }
.handler-failed, .handler-dead { color: var(--bad); }
.handler-duplicate, .handler-pending, .handler-running { color: var(--warn); }
.empty, .muted { color: GrayText; }
.empty { padding: 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { color: GrayText; }
dd { margin: 0; overflow-wrap: anywhere; }
.hint { color: GrayText; padding: 1rem 0; }
.detail table td:first-child { white-space: nowrap; }
#headers td, #response-headers td, #forward-headers td { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.body-head { display: flex; align-items: baseline; gap: 1rem; }
.views { display: flex; gap: 0; }
.views button { padding: .1rem .7rem; font-size: .85rem; }
.views button[aria-pressed="true"] { background: #0969da; color: #fff; border-color: #0969da; }
#response-body, #forward-body { margin-top: .4rem; }
.answer-bad { color: var(--bad); }
pre { margin: 0; padding: .6rem; background: #8881; border: 1px solid var(--line); overflow: auto; max-height: 60vh; font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; }
button { font: inherit; padding: .25rem .9rem; cursor: pointer; }
.replay-result { margin-top: .8rem; padding: .6rem; border: 1px solid var(--line); border-left: 4px solid #0969da; }
.replay-result p { margin: 0 0 .4rem; }
.link { background: none; border: 0; padding: 0; color: LinkText; text-decoration: underline; }
`;
