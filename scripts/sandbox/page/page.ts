/**
 * The delivery log's page: static HTML and CSS, no templating (nothing from a delivery is ever put
 * into markup on the server; the script fills the page with `textContent`). Served under core's
 * local-page Content-Security-Policy, which allows only the sandbox's own script, style and API.
 */
import { PAGE_BASE_CSS } from '../../../steps/lib/core/index.ts';

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Bracken sandbox: delivery log</title>
<link rel="stylesheet" href="/sandbox/page.css">
<script src="/sandbox/page.js" defer></script>
</head>
<body>
<header>
  <h1>Bracken sandbox: delivery log</h1>
  <p class="origin">What the sandbox sent, and what your receiver answered</p>
  <p id="connection" class="connection" role="status">connecting…</p>
</header>
<main>
  <section class="setup" aria-label="Subscriptions and users">
    <div>
      <h2>Subscriptions</h2>
      <table id="subscriptions"><thead><tr><th>Event</th><th>Target</th><th>Active</th><th>Secret</th><th>Changed</th></tr></thead><tbody></tbody></table>
      <p id="no-subscriptions" class="empty">No subscriptions yet (npm run step:2 makes one).</p>
    </div>
    <div>
      <h2>Users</h2>
      <table id="users"><thead><tr><th>Userkey</th><th>Username</th><th>Created</th></tr></thead><tbody></tbody></table>
      <p id="no-users" class="empty">No users yet (npm run step:4 makes one).</p>
    </div>
  </section>
  <section class="list" aria-labelledby="deliveries-title">
    <h2 id="deliveries-title">Deliveries <span class="muted">(newest first)</span></h2>
    <table id="deliveries">
      <thead><tr><th>Created</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last answer</th><th>Target</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="no-deliveries" class="empty">Loading…</p>
    <p id="deliveries-shown" class="muted" hidden></p>
  </section>
  <section id="detail" class="detail" aria-labelledby="detail-title">
    <p id="pick" class="empty">Select a delivery to see its attempts and your receiver's answers.</p>
    <div id="delivery" hidden>
      <div class="toolbar">
        <h2 id="detail-title">Delivery</h2>
        <button id="resend" type="button">Resend</button>
        <button id="cancel" type="button">Cancel</button>
      </div>
      <p id="action-result" class="action-result" role="status" hidden></p>
      <dl id="facts"></dl>
      <h3>Request <span class="muted">(every attempt sends these bytes)</span></h3>
      <table id="request-headers"><thead><tr><th>Header</th><th>Value</th></tr></thead><tbody></tbody></table>
      <pre id="request-body"></pre>
      <h3>Attempts <span id="attempts-note" class="muted"></span></h3>
      <ol id="attempts"></ol>
    </div>
  </section>
</main>
</body>
</html>
`;

export const PAGE_CSS = `
${PAGE_BASE_CSS}h2 { font-size: 1rem; margin: .6rem 0 .3rem; }
h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
.origin { margin: 0; flex: 1; color: GrayText; }
.connection { margin: 0; font-size: .85rem; }
.connection.live { color: var(--ok); }
.connection.down { color: var(--bad); }
main { display: grid; grid-template-columns: minmax(34rem, 1.2fr) minmax(26rem, 1fr); gap: 0 1rem; padding: 0 1rem 1rem; }
.setup { grid-column: 1 / -1; display: grid; grid-template-columns: 3fr 2fr; gap: 1rem; border-bottom: 1px solid var(--line); padding-bottom: .6rem; }
.list, .detail { overflow: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { white-space: nowrap; }
#deliveries tbody tr { cursor: pointer; }
#deliveries tbody tr:hover, #deliveries tbody tr:focus { background: var(--pick); outline: none; }
#deliveries tbody tr[aria-selected="true"] { background: var(--pick); box-shadow: inset 3px 0 #0969da; }
.status { font-weight: 600; }
.status-delivered { color: var(--ok); }
.status-failed, .answer-bad { color: var(--bad); }
.status-pending, .status-cancelled, .answer-wait { color: var(--warn); }
.reason { display: block; font-weight: normal; font-size: .8rem; color: GrayText; }
.empty, .muted { color: GrayText; }
.toolbar { display: flex; align-items: center; gap: .8rem; }
.toolbar h2 { flex: 1; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0 0; }
dt { color: GrayText; }
dd { margin: 0; overflow-wrap: anywhere; }
td.mono, #request-headers td, .attempt td { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
pre { margin: .3rem 0 0; padding: .5rem; background: #8881; border: 1px solid var(--line); overflow: auto; max-height: 40vh; font-size: .85rem; white-space: pre-wrap; overflow-wrap: anywhere; }
ol#attempts { list-style: none; padding: 0; margin: 0; }
.attempt { border: 1px solid var(--line); border-left: 4px solid var(--line); padding: .4rem .6rem; margin-bottom: .6rem; }
.attempt.ok { border-left-color: var(--ok); }
.attempt.bad { border-left-color: var(--bad); }
.attempt p { margin: 0 0 .3rem; }
button { font: inherit; padding: .25rem .9rem; cursor: pointer; }
button:disabled { cursor: default; }
.action-result { margin: .4rem 0; padding: .4rem .6rem; border-left: 4px solid #0969da; background: #8881; }
`;
