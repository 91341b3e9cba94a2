// The gateway's page: the links' table, a timeline of the last hour per link, and the recent changes, live from the
// event stream. Every name and message is put in the page as text (textContent), never as markup.
'use strict';

const HOUR = 3600 * 1000;
const RECENT = 20;
const links = new Map();     // name -> the link's status, as /api/links gives it
const changes = new Map();   // name -> its changes, oldest first, as /api/links/NAME/events gives them
const recent = [];           // the changes received live, newest first, with when they arrived
let clockOffset = 0;         // the gateway's clock minus this browser's
let stream = null;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function gatewayNow() {
  return Date.now() + clockOffset;
}

function ago(iso) {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((gatewayNow() - Date.parse(iso)) / 1000));
  if (seconds < 90) return seconds + ' s ago';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
  return Math.round(seconds / 3600) + ' h ago';
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

async function load() {
  const answer = await getJson('api/links');
  clockOffset = Date.parse(answer.now) - Date.now();
  links.clear();
  answer.links.forEach(link => links.set(link.name, link));
  await Promise.all(answer.links.filter(link => !link.refused).map(async link => {
    const history = await getJson('api/links/' + encodeURIComponent(link.name) + '/events');
    changes.set(link.name, history.changes);
  }));
  for (const name of [...changes.keys()]) {
    if (!links.has(name)) changes.delete(name);
  }
  render();
}

function reload() {
  load().catch(error => console.warn('cannot read the links:', error));
}

function connect() {
  stream = new EventSource('api/events');
  stream.onopen = () => {
    setStream(true);
    reload(); // after a restart of the gateway, everything is new
  };
  stream.onerror = () => {
    setStream(false);
    if (stream.readyState === EventSource.CLOSED) {
      // the browser gave up (an HTTP error while the gateway restarts): start a new stream
      setTimeout(connect, 2000);
    }
  };
  stream.addEventListener('link', message => {
    const event = JSON.parse(message.data);
    const change = event.change;
    links.set(event.link.name, event.link);
    const list = changes.get(change.name) || [];
    if (!list.length || list[list.length - 1].sequence < change.sequence) list.push(change);
    changes.set(change.name, list);
    recent.unshift({ change, received: Date.now() });
    recent.length = Math.min(recent.length, RECENT);
    render();
  });
  stream.addEventListener('resync', reload);
}

function setStream(live) {
  const badge = document.getElementById('stream');
  badge.textContent = live ? 'live' : 'reconnecting…';
  badge.className = 'stream ' + (live ? 'live' : 'offline');
}

function render() {
  renderTable();
  renderTimelines();
  renderRecent();
  renderRefused();
}

function cell(row, label, content) {
  const td = element('td');
  td.dataset.label = label;
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  row.appendChild(td);
  return td;
}

function renderTable() {
  const body = document.querySelector('#links tbody');
  body.replaceChildren();
  for (const link of links.values()) {
    const row = element('tr');
    row.dataset.link = link.name;
    row.dataset.state = link.state;
    cell(row, 'Link', link.name + ' (' + link.type + ')').title = link.source;
    cell(row, 'State', element('span', 'state ' + link.state, link.state));
    cell(row, 'Since', ago(link.since)).title = link.since || '';
    const attempt = link.attempt ? String(link.attempt) : '';
    cell(row, 'Attempt', link.nextAttemptAt ? attempt + ', next ' + new Date(Date.parse(link.nextAttemptAt)
      - clockOffset).toLocaleTimeString() : attempt);
    const error = link.refused ? (link.problems[0] || '') : (link.lastError || '');
    const errorCell = cell(row, 'Last error', error + (link.lastErrorAt ? ' (' + ago(link.lastErrorAt) + ')' : ''));
    errorCell.classList.add('error');
    const t = link.totals;
    cell(row, 'Totals', element('span', 'totals', t.connects + ' connects, ' + t.drops + ' drops, '
      + t.failedAttempts + ' failed; in ' + t.framesIn + ' frames / ' + t.bytesIn + ' B, out ' + t.framesOut
      + ' frames / ' + t.bytesOut + ' B'));
    body.appendChild(row);
  }
  document.getElementById('empty').hidden = links.size > 0;
}

// a link that lost its connection and retries (RECONNECTING) is down: offline, as OFFLINE and ENDING are
function spanClass(state) {
  if (state === 'CONNECTED') return 'connected';
  if (state === 'CONNECTING') return 'connecting';
  return 'offline';
}

function renderTimelines() {
  const container = document.getElementById('timelines');
  container.replaceChildren();
  const end = gatewayNow();
  const start = end - HOUR;
  // a span or mark of the last seconds is kept inside the bar: at least its minimum width from the right end
  const left = (time, width) => 'min(' + ((Math.max(time, start) - start) / HOUR * 100).toFixed(3) + '%, calc(100% - '
    + width + '))';
  for (const link of links.values()) {
    if (link.refused) continue;
    const list = changes.get(link.name) || [];
    const timeline = element('div', 'timeline');
    timeline.dataset.link = link.name;
    timeline.appendChild(element('div', 'label', link.name));
    const bar = element('div', 'bar');
    list.forEach((change, i) => {
      const from = Date.parse(change.at);
      const to = i + 1 < list.length ? Date.parse(list[i + 1].at) : end;
      if (to >= start && to > from) {
        const span = element('div', 'span ' + spanClass(change.state));
        span.dataset.state = change.state;
        span.style.left = left(from, '3px');
        span.style.width = ((Math.min(to, end) - Math.max(from, start)) / HOUR * 100).toFixed(3) + '%';
        span.title = change.state + ' from ' + new Date(from - clockOffset).toLocaleTimeString();
        bar.appendChild(span);
      }
      if (change.error && from >= start) {
        const mark = element('div', 'mark');
        mark.style.left = left(from, '2px');
        mark.title = change.error;
        bar.appendChild(mark);
      }
    });
    timeline.appendChild(bar);
    const axis = element('div', 'axis');
    axis.append(element('span', null, '-60 min'), element('span', null, '-30 min'), element('span', null, 'now'));
    timeline.appendChild(axis);
    container.appendChild(timeline);
  }
}

function renderRecent() {
  let list = document.getElementById('recent');
  if (!list) {
    const section = element('section');
    section.appendChild(element('h2', null, 'Changes seen live'));
    list = element('ol', null);
    list.id = 'recent';
    section.appendChild(list);
    document.querySelector('main').appendChild(section);
  }
  list.replaceChildren(...recent.map(({ change, received }) => {
    const item = element('li', null, new Date(received).toLocaleTimeString() + ' ' + change.name + ' '
      + change.state + (change.error ? ': ' + change.error : ''));
    item.dataset.link = change.name;
    item.dataset.state = change.state;
    item.dataset.received = String(received);
    return item;
  }));
}

function renderRefused() {
  const refused = [...links.values()].filter(link => link.refused);
  const list = document.getElementById('refused');
  list.replaceChildren(...refused.map(link => {
    const item = element('li');
    item.dataset.link = link.name;
    item.appendChild(element('strong', null, link.source));
    const problems = element('ul');
    link.problems.forEach(problem => problems.appendChild(element('li', null, problem)));
    item.appendChild(problems);
    return item;
  }));
  document.getElementById('refused-section').hidden = refused.length === 0;
}

document.addEventListener('DOMContentLoaded', () => {
  connect();
  // refused files change without an event of a link: read the list again now and then; redraw the timelines
  setInterval(reload, 10000);
  setInterval(renderTimelines, 5000);
});
