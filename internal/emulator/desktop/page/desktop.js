// The agent desktop of genesys-emulator. It renders the view the emulator pushes over
// server-sent events; every text goes through textContent, never markup. Frames are kept
// while their src, sandbox, allow and size stay the same, so live updates never reload an app.
'use strict';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const ui = {
  view: null,
  source: null,
  widgetTab: null, // id of the widget shown in the panel
  appOpen: null, // id of the standalone app on the stage
  conversation: null, // id of the conversation shown
  opened: new Set(), // pops this page has opened and reported
  probes: new Map(), // frame window -> last probe report
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// frame renders an app (or a pop target) in a figure keyed by what makes the frame what it is.
function frame(app, extraKey) {
  const key = [app.src, app.sandbox, app.allow, app.width, app.height, extraKey || ''].join('|');
  const fig = el('figure', { class: 'frame', 'data-app-id': app.id, 'data-kind': app.kind || 'pop', 'data-key': key });
  const iframe = el('iframe', {
    'data-app-id': app.id,
    title: app.name || app.id,
    src: app.src,
    sandbox: app.sandbox,
    allow: app.allow || null,
    width: String(app.width),
    height: String(app.height),
    referrerpolicy: 'no-referrer',
  });
  const asked = app.askedWidth ? ` (asked ${app.askedWidth}×${app.askedHeight})` : '';
  const caption = el('figcaption', {},
    el('strong', { text: app.name || app.id }),
    el('span', { class: 'meta', text: ` ${app.width}×${app.height}${asked}` }),
    app.servedBy ? el('span', { class: 'served', text: app.servedBy }) : null,
    el('code', { class: 'sandbox', title: 'sandbox', text: app.sandbox || '(no tokens)' }),
    app.allow ? el('code', { class: 'allow', title: 'allow', text: app.allow }) : null,
    el('span', { class: 'probe', 'data-probe-for': app.id }));
  fig.append(caption, iframe);
  return fig;
}

// keep replaces the children of parent with figures for apps, reusing those whose key is the same.
function keep(parent, apps, make) {
  const old = new Map();
  for (const c of parent.children) old.set(c.dataset.key, c);
  const next = apps.map((a) => {
    const fresh = make(a);
    const same = old.get(fresh.dataset.key);
    if (same) {
      old.delete(fresh.dataset.key);
      return same;
    }
    return fresh;
  });
  place(parent, next, [...old.values()]);
}

// place makes nodes the children of parent, in order, removing gone. A frame that is taken out
// of the document reloads when it is put back, so a node already in its place is never touched.
function place(parent, nodes, gone) {
  for (const c of gone) c.remove();
  for (const c of [...parent.children]) if (!nodes.includes(c)) c.remove();
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] || null);
  });
}

function tabs(container, items, selected, onSelect) {
  container.replaceChildren(...items.map((it) => {
    const b = el('button', { type: 'button', class: 'tab', 'data-id': it.id, 'aria-selected': String(it.id === selected), text: it.label });
    b.addEventListener('click', () => onSelect(it.id));
    return b;
  }));
}

function render(view) {
  ui.view = view;
  renderPickers(view);

  // Widget panel: one tab per widget; every frame stays loaded, only the chosen one is shown.
  if (!view.widgets.some((w) => w.id === ui.widgetTab)) ui.widgetTab = view.widgets.length ? view.widgets[0].id : null;
  tabs($('widget-tabs'), view.widgets.map((w) => ({ id: w.id, label: w.name })), ui.widgetTab, (id) => { ui.widgetTab = id; render(ui.view); });
  if (view.widgets.length) keep($('widgets'), view.widgets, (w) => frame(w));
  else $('widgets').replaceChildren(el('p', { class: 'empty', text: 'No active widget in this org.' }));
  for (const fig of $('widgets').children) fig.hidden = fig.dataset.appId !== ui.widgetTab;

  // Apps menu: standalone apps open on the stage.
  $('apps-menu').replaceChildren(...view.apps.map((a) => {
    const b = el('button', { type: 'button', class: 'app-button', 'data-app-id': a.id, 'aria-pressed': String(a.id === ui.appOpen), text: a.name });
    b.addEventListener('click', () => { ui.appOpen = ui.appOpen === a.id ? null : a.id; render(ui.view); });
    return b;
  }));
  if (!view.apps.length) $('apps-menu').append(el('p', { class: 'empty', text: 'No standalone app.' }));
  keep($('app-stage'), view.apps.filter((a) => a.id === ui.appOpen), (a) => frame(a));

  renderConversations(view);
  renderPops(view);
  renderHeadroom(view);
  renderRequests(view);
  $('hidden').replaceChildren(...view.hidden.map((h) => el('li', { 'data-app-id': h.id }, el('strong', { text: h.name }), ` ${h.reason}`)));
  if (!view.hidden.length) $('hidden').append(el('li', { class: 'empty', text: 'Every integration is shown.' }));
  for (const [win, report] of ui.probes) showProbe(win, report);
}

function renderPickers(view) {
  const org = $('org');
  if (org.options.length !== view.orgs.length) {
    org.replaceChildren(...view.orgs.map((o) => el('option', { value: o.id, text: `${o.name} (${o.id})` })));
  }
  org.value = view.org;
  const agents = (view.orgs.find((o) => o.id === view.org) || { agents: [] }).agents;
  const agent = $('agent');
  if (agent.dataset.org !== view.org) {
    agent.replaceChildren(...agents.map((a) => el('option', { value: a.id, text: `${a.name} (${a.id})` })));
    agent.dataset.org = view.org;
  }
  agent.value = view.agent;
  const type = $('conversation-type');
  if (!type.options.length) type.replaceChildren(...view.communicationTypes.map((t) => el('option', { value: t, text: t })));
  $('queues').replaceChildren(...view.queues.map((q) => el('option', { value: q })));
}

function renderConversations(view) {
  const convs = view.conversations;
  // A conversation just started may not be in this view yet: keep wanting it.
  const selected = convs.some((c) => c.id === ui.conversation) ? ui.conversation : (convs.length ? convs[0].id : null);
  tabs($('conversation-tabs'), convs.map((c) => ({ id: c.id, label: `${c.type}${c.queue ? ' · ' + c.queue : ''}` })), selected,
    (id) => { ui.conversation = id; render(ui.view); });
  const box = $('conversations');
  const old = new Map([...box.children].map((c) => [c.dataset.conversationId, c]));
  const next = convs.map((c) => {
    const node = old.get(c.id) || el('div', { class: 'conversation', 'data-conversation-id': c.id, 'data-type': c.type, 'data-queue': c.queue },
      el('p', { class: 'conversation-head' }, el('strong', { text: c.type }), ` on ${c.queue || 'no queue'} · `, el('code', { text: c.id })),
      el('div', { class: 'conversation-widgets' }));
    old.delete(c.id);
    const widgets = node.querySelector('.conversation-widgets');
    if (c.widgets.length) keep(widgets, c.widgets, (w) => frame(w, c.id));
    else widgets.replaceChildren(el('p', { class: 'empty', text: 'No interaction widget matches this conversation.' }));
    node.hidden = c.id !== selected;
    return node;
  });
  if (!convs.length) next.push(el('p', { class: 'empty', text: 'Start a conversation to see the interaction widgets that match it.' }));
  place(box, next, [...old.values()]);
}

function renderPops(view) {
  const box = $('pop');
  const pops = view.pops;
  if (!pops.length) {
    box.replaceChildren(el('p', { class: 'empty', text: 'No screen pop for this agent yet.' }));
    return;
  }
  const p = pops[0];
  for (const pending of pops.filter((x) => !x.shown && !ui.opened.has(x.id))) reportShown(pending);
  const shownAfter = p.shown ? Math.max(0, Date.parse(p.shown.at) - Date.parse(p.deliveredAt)) : null;
  const head = el('div', { class: 'pop-head', 'data-pop-id': p.id },
    el('strong', { text: p.appName || p.applicationId }),
    el('span', { class: 'meta', text: `delivered ${new Date(p.deliveredAt).toLocaleTimeString()}` }),
    el('span', { class: 'meta', 'data-shown-after-ms': shownAfter === null ? null : String(shownAfter), text: shownAfter === null ? '· opening…' : `· shown after ${shownAfter} ms` }),
    el('span', { class: p.windowFocused ? 'ok' : 'warn', text: p.windowFocused ? '· window focused' : '· window not focused' }));
  const ctx = el('table', { class: 'context' }, el('tbody', {}, ...p.context.map(([k, v]) =>
    el('tr', { 'data-key': k }, el('th', { text: k }), el('td', { text: v })))));
  const state = Object.entries(p.state || {}).map(([k, v]) => el('code', { class: 'state', text: `${k}=${v}` }));
  let fig = box.querySelector('figure.frame');
  if (!fig || fig.dataset.popId !== p.id) {
    fig = frame({ id: p.applicationId, name: 'Target', kind: 'pop', src: p.src, sandbox: p.sandbox, allow: p.allow, width: 360, height: 260, servedBy: p.servedBy }, p.id);
    fig.dataset.popId = p.id;
  }
  const history = pops.slice(1).map((x) => el('li', { 'data-pop-id': x.id, text: `${new Date(x.deliveredAt).toLocaleTimeString()} ${x.appName || x.applicationId}` }));
  place(box, [head, el('p', { class: 'target' }, el('code', { text: p.target })), ctx,
    el('p', { class: 'states' }, ...state), fig, el('ul', { class: 'pop-history' }, ...history)], []);
}

async function reportShown(pop) {
  ui.opened.add(pop.id);
  try {
    await fetch(`/desktop/api/pops/${encodeURIComponent(pop.id)}/shown`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ org: ui.view.org, agent: ui.view.agent, visible: document.visibilityState === 'visible' }),
    });
  } catch (e) {
    ui.opened.delete(pop.id);
  }
}

function headroomRow(cls, attrs, who, remaining, capacity, resetSeconds) {
  const bar = el('span', { class: 'fill' });
  bar.style.width = `${Math.round((100 * remaining) / Math.max(1, capacity))}%`;
  return el('div', { class: cls, ...attrs, 'data-remaining': String(remaining) },
    el('span', { class: 'who', text: who }),
    el('span', { class: 'bar' }, bar),
    el('span', { class: 'num', text: `${remaining}/${capacity}${resetSeconds ? ` · full in ${resetSeconds}s` : ''}` }));
}

function renderHeadroom(view) {
  const box = $('headroom');
  if (!view.rateLimited) {
    box.replaceChildren(el('p', { class: 'empty', text: 'Rate limiting is off.' }));
    return;
  }
  // Each OAuth client's allowance across all its tokens (org.app.user.rate.per.minute), then
  // each token's own (token.rate.per.minute): a request needs room in both.
  const rows = view.clients.filter((c) => c.capacity).map((c) => headroomRow('client-headroom', { 'data-client': c.clientId },
    `${c.clientId} · ${c.liveTokens} token${c.liveTokens === 1 ? '' : 's'}` +
      (c.newTokensCapacity ? ` · ${c.newTokens}/${c.newTokensCapacity} new` : ''),
    c.remaining, c.capacity, c.resetSeconds));
  if (!view.headroom.length) {
    rows.push(el('p', { class: 'empty', text: 'No live token in this org.' }));
  }
  rows.push(...view.headroom.map((h) => (h.capacity
    ? headroomRow('headroom', { 'data-token': h.token }, `${h.clientId} · ${h.token}`, h.remaining, h.capacity, h.resetSeconds)
    : el('div', { class: 'headroom', 'data-token': h.token },
      el('span', { class: 'who', text: `${h.clientId} · ${h.token}` }),
      el('span', { class: 'num', text: 'no per-token limit' })))));
  box.replaceChildren(...rows);
}

function renderRequests(view) {
  const body = $('requests').tBodies[0];
  body.replaceChildren(...view.requests.map((r) => el('tr', { 'data-status': String(r.status), 'data-correlation-id': r.correlationId },
    el('td', { class: 'route', title: r.fault ? `fault: ${r.fault}` : null, text: `${r.method} ${r.route}` }),
    el('td', { class: `status s${String(r.status)[0]}`, text: String(r.status) }),
    el('td', { class: 'num', text: r.latencyMs.toFixed(1) }),
    el('td', { class: 'corr', text: r.correlationId }))));
}

// Probe reports arrive from the frames by postMessage; only a frame of this page is believed.
window.addEventListener('message', (e) => {
  if (!e.data || e.data.type !== 'genesys-emulator-probe') return;
  if (![...document.querySelectorAll('iframe')].some((f) => f.contentWindow === e.source)) return;
  ui.probes.set(e.source, e.data.report);
  showProbe(e.source, e.data.report);
  // Each load of a frame reports once: the count shows whether updates ever reload an app.
  for (const f of document.querySelectorAll('iframe')) {
    if (f.contentWindow === e.source) f.dataset.loads = String(Number(f.dataset.loads || 0) + 1);
  }
});

const capabilities = [
  ['scripts', 'scripts'], ['sameOrigin', 'same-origin'], ['forms', 'forms'], ['topNavigation', 'top-navigation'],
  ['storage', 'storage'], ['clipboard-write', 'clipboard'], ['camera', 'camera'], ['microphone', 'microphone'],
  ['geolocation', 'geolocation'], ['fullscreen', 'fullscreen'], ['display-capture', 'display-capture'],
];

function showProbe(win, report) {
  for (const f of document.querySelectorAll('iframe')) {
    if (f.contentWindow !== win) continue;
    const slot = f.closest('figure').querySelector('[data-probe-for]');
    slot.replaceChildren(...capabilities.filter(([k]) => typeof report[k] === 'boolean').map(([k, label]) =>
      el('span', { class: report[k] ? 'cap on' : 'cap off', 'data-cap': label, 'data-on': String(report[k]), text: label })));
  }
}

function connect() {
  if (ui.source) ui.source.close();
  const q = new URLSearchParams();
  if (params.get('org')) q.set('org', params.get('org'));
  if (params.get('agent')) q.set('agent', params.get('agent'));
  const live = $('live');
  live.dataset.state = 'connecting';
  live.textContent = 'connecting';
  ui.source = new EventSource(`/desktop/events?${q}`);
  ui.source.addEventListener('open', () => { live.dataset.state = 'live'; live.textContent = 'live'; });
  ui.source.addEventListener('error', () => { live.dataset.state = 'reconnecting'; live.textContent = 'reconnecting'; });
  ui.source.addEventListener('state', (e) => render(JSON.parse(e.data)));
}

function choose(org, agent) {
  params.set('org', org);
  if (agent) params.set('agent', agent); else params.delete('agent');
  history.replaceState(null, '', `?${params}`);
  ui.widgetTab = ui.appOpen = ui.conversation = null;
  connect();
}

$('org').addEventListener('change', (e) => choose(e.target.value, ''));
$('agent').addEventListener('change', (e) => choose($('org').value, e.target.value));
$('start-conversation').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('/desktop/api/conversations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ org: ui.view.org, agent: ui.view.agent, type: $('conversation-type').value, queue: $('conversation-queue').value }),
  });
  if (res.ok) {
    ui.conversation = (await res.json()).id;
    render(ui.view);
  }
});
connect();
