// The emulator's sample apps. One script for all of them: the path picks what to show. Every
// one probes the sandbox it runs in and posts the report to the desktop that framed it; the
// probe app also shows it, with everything it received. Nothing here fetches anything.
'use strict';

const segments = location.pathname.split('/').filter(Boolean); // apps, host, ...path
const appHost = segments[1] || '';
const appPath = '/' + segments.slice(2).join('/');
const query = [...new URLSearchParams(location.search)];
const fragment = [...new URLSearchParams(location.hash.slice(1))].map(([k, v]) => [k, k === 'sessionToken' ? '********' : v]);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function table(rows, empty) {
  if (!rows.length) return el('p', { class: 'muted', text: empty });
  return el('table', {}, el('tbody', {}, ...rows.map(([k, v, cls]) => el('tr', cls ? { class: cls } : {}, el('th', { text: k }), el('td', { text: v })))));
}

// probe tries what the sandbox and the frame's allow attribute let this document do, without
// leaving a trace: nothing is submitted, opened or navigated away.
function probe() {
  const r = { scripts: true, sameOrigin: self.origin !== 'null' };
  // A sandbox without allow-forms stops a submission before its submit event fires.
  const form = el('form', { action: '/apps/_assets/nav204', hidden: '' });
  let submitted = false;
  form.addEventListener('submit', (e) => { submitted = true; e.preventDefault(); });
  document.body.append(form);
  try { form.requestSubmit(); } catch (e) { /* not allowed */ }
  form.remove();
  r.forms = submitted;
  // Navigating the desktop is refused with an exception unless the sandbox allows it; when it
  // is allowed the target answers 204 No Content, so the desktop stays where it is.
  try {
    window.top.location.href = new URL('/apps/_assets/nav204', location.href).href;
    r.topNavigation = true;
  } catch (e) {
    r.topNavigation = false;
  }
  try { r.storage = window.localStorage !== null; } catch (e) { r.storage = false; }
  const policy = document.permissionsPolicy || document.featurePolicy;
  for (const f of ['clipboard-write', 'camera', 'microphone', 'geolocation', 'fullscreen', 'display-capture']) {
    if (policy && typeof policy.allowsFeature === 'function') r[f] = policy.allowsFeature(f);
  }
  if (typeof r.fullscreen !== 'boolean') r.fullscreen = document.fullscreenEnabled === true;
  return r;
}

const labels = {
  scripts: 'scripts (allow-scripts)', sameOrigin: 'own origin (allow-same-origin)', forms: 'forms (allow-forms)',
  topNavigation: 'navigate the desktop (allow-top-navigation)', storage: 'storage', 'clipboard-write': 'clipboard-write',
  camera: 'camera', microphone: 'microphone', geolocation: 'geolocation', fullscreen: 'fullscreen', 'display-capture': 'display-capture',
};

function probeSection(report) {
  const rows = Object.entries(labels).filter(([k]) => typeof report[k] === 'boolean')
    .map(([k, label]) => [label, report[k] ? 'on' : 'off', report[k] ? 'on' : 'off']);
  const tries = el('p', { class: 'tries' });
  const popup = el('button', { type: 'button', text: 'Try a popup' });
  popup.addEventListener('click', () => {
    const w = window.open('about:blank', '_blank', 'popup,width=240,height=120');
    popup.textContent = w ? 'popups: on' : 'popups: off (allow-popups missing, or blocked)';
    if (w) w.close();
  });
  const modal = el('button', { type: 'button', text: 'Try a dialog' });
  modal.addEventListener('click', () => {
    const t0 = performance.now();
    window.alert('A dialog from the sandbox probe: modals are on.');
    // A refused dialog returns at once; a shown one waits for the person to close it.
    modal.textContent = performance.now() - t0 > 30 ? 'modals: on' : 'modals: off (allow-modals missing)';
  });
  tries.append(popup, ' ', modal);
  return el('section', { class: 'probe' }, el('h2', { text: 'Sandbox in effect' }), table(rows, ''), tries);
}

function receivedSection() {
  const unfilled = decodeURIComponent(location.href).match(/\{\{[^}]*\}\}/g) || [];
  return el('section', {},
    el('h2', { text: 'Received' }),
    el('h3', { text: 'Query' }), table(query, 'no query'),
    el('h3', { text: 'Fragment' }), table(fragment, 'no fragment'),
    el('h3', { text: 'Placeholders left unfilled' }),
    unfilled.length ? el('p', { class: 'off', text: unfilled.join(' ') }) : el('p', { class: 'muted', text: 'none' }));
}

function tile(label, value, note) {
  return el('div', { class: 'tile' }, el('span', { class: 'label', text: label }), el('strong', { text: value }), el('span', { class: 'note', text: note }));
}

function dashboard() {
  const bars = el('div', { class: 'bars' });
  [4, 7, 5, 9, 12, 8, 6, 10, 14, 11, 7, 5].forEach((n) => {
    const b = el('span', {});
    b.style.height = `${n * 6}px`;
    bars.append(b);
  });
  return [el('div', { class: 'tiles' }, tile('Waiting', '4', 'in 3 queues'), tile('Longest wait', '1:42', 'Support · EN'),
    tile('Agents on queue', '7', '2 idle'), tile('Service level', '86%', 'target 80%')),
  el('h2', { text: 'Interactions per hour' }), bars];
}

function customer() {
  const conv = query.find(([k]) => /conversation/i.test(k));
  return [el('div', { class: 'person' }, el('span', { class: 'avatar', text: 'MR' }),
    el('div', {}, el('strong', { text: 'Maria Rossi' }), el('p', { class: 'muted', text: 'Gold tier · customer since 2019' }))),
  table([['Conversation', conv ? conv[1] : '(none: not beside a conversation)'], ['Open cases', '2'], ['Last contact', 'chat, 3 days ago'], ['Sentiment', 'positive']], '')];
}

function knowledge() {
  const list = el('ul', { class: 'articles' }, ...['Reset a customer password', 'Refund policy (EU)', 'Escalate to tier 2', 'Shipping delays FAQ']
    .map((t) => el('li', { text: t })));
  return [el('input', { type: 'search', placeholder: 'Search articles', 'aria-label': 'Search articles' }), list];
}

function crm() {
  return [el('p', { class: 'muted', text: 'The customer context this screen pop carried (URL fragment):' }), table(fragment, 'no context'),
    query.length ? table(query, '') : null];
}

const kinds = [
  [/probe/, 'Sandbox probe', null],
  [/dashboard/, 'Agent dashboard', dashboard],
  [/c360|customer/, 'Customer 360', customer],
  [/knowledge/, 'Knowledge search', knowledge],
  [/agent-view|crm/, 'CRM · agent view', crm],
];

document.addEventListener('DOMContentLoaded', () => {
  const report = probe();
  const [, title, body] = kinds.find(([re]) => re.test(appPath)) || [null, 'Sandbox probe', null];
  document.getElementById('title').textContent = title;
  document.getElementById('origin').textContent = `https://${appHost}${appPath}`;
  const content = document.getElementById('content');
  content.replaceChildren(...(body ? body() : [probeSection(report), receivedSection()]).filter(Boolean));
  if (body) content.append(el('details', {}, el('summary', { text: 'Sandbox and what this app received' }), probeSection(report), receivedSection()));
  // The report holds no secret (the session token is masked above), so any parent may read it.
  window.parent.postMessage({ type: 'genesys-emulator-probe', report }, '*');
});
