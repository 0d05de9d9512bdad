// Chronicle's event browser: one module, no framework, no build. Everything it shows comes from
// the operator-only /v1/admin API with the token the operator pasted in (kept in sessionStorage).
// Event data is user input: every text goes into the page as a text node (el() below), never as
// HTML, and links are built from '#' routes only.

const TOKEN_KEY = 'chronicle.operatorToken';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const byId = (id) => document.getElementById(id);
const view = byId('view');
const statusLine = byId('status');

// ---- building the page ----------------------------------------------------------------------

/** An element with properties and children; strings become text nodes, so nothing is parsed as HTML. */
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
};

const enc = encodeURIComponent;
/** A link to a view of this page: the href is always a '#' route, whatever the text. */
const link = (route, ...children) => el('a', { href: `#${route}` }, ...children);
const streamRoute = (s) => `/stream/${enc(s.tenantId)}/${enc(s.aggregateType)}/${enc(s.aggregateId)}`;
const correlationRoute = (correlationId, tenantId) =>
  `/correlation/${enc(correlationId)}${tenantId ? `?${new URLSearchParams({ tenant: tenantId })}` : ''}`;
const json = (value) => el('pre', { class: 'json' }, JSON.stringify(value, null, 2));
const fields = (pairs) =>
  el('dl', { class: 'fields' }, pairs.filter(([, value]) => value !== undefined).map(([name, value]) => [el('dt', {}, name), el('dd', {}, value ?? '—')]));
const table = (headings, rows, props = {}) =>
  el('table', props, el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows));
/** A time in UTC to the second (the full value on hover), whatever form the API gave it in. */
const when = (iso) => {
  if (!iso) return '—';
  const at = new Date(iso);
  const shown = Number.isNaN(at.getTime()) ? iso : at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return el('time', { datetime: iso, title: iso }, shown);
};
const badge = (text, kind = text) => el('span', { class: `badge ${kind}` }, text);
const actorText = (actor) => (actor ? `${actor.type}:${actor.id ?? '—'}` : '—');

const say = (text, isError = false) => {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
};

// ---- the API --------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

const parsed = (text) => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

const api = async (method, path) => {
  const response = await fetch(path, { method, headers: { authorization: `Bearer ${token()}`, accept: 'application/json' } });
  const text = await response.text();
  const body = parsed(text);
  if (!response.ok) {
    const error = new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? text);
    if (response.status === 401) logOut(`The token was refused (${error.code}): ${error.message}`);
    throw error;
  }
  return body;
};

const query = (params) => {
  const kept = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return kept.length ? `?${new URLSearchParams(kept)}` : '';
};

// ---- session --------------------------------------------------------------------------------

/** The token's claims, shown to the operator (the server checks the token; this only reads it). */
const claimsOf = (jwt) => {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')));
  } catch {
    return {};
  }
};

const showSession = () => {
  const loggedIn = Boolean(token());
  byId('login').hidden = loggedIn;
  byId('nav').hidden = !loggedIn;
  byId('session').hidden = !loggedIn;
  if (loggedIn) {
    const claims = claimsOf(token());
    const expiry = new Date(typeof claims.exp === 'number' ? claims.exp * 1000 : NaN);
    const expires = Number.isNaN(expiry.getTime()) ? '' : ` · token expires ${expiry.toISOString()}`;
    byId('who').textContent = `Operator ${claims.sub ?? '?'}${claims.actorType === 'system' ? ' (system)' : ''}${expires}`;
  } else {
    view.replaceChildren();
  }
};

function logOut(reason = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  byId('login-error').textContent = reason;
  say('');
  showSession();
}

byId('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const pasted = byId('token').value.trim().replace(/^Bearer\s+/i, '');
  if (!pasted) return;
  sessionStorage.setItem(TOKEN_KEY, pasted);
  byId('login-error').textContent = '';
  try {
    await api('GET', '/v1/admin/sagas?limit=1'); // a cheap operator-only call: proves the token is an operator's
  } catch (error) {
    const reason = error.status === 403 ? `This token's user is not an operator (${error.code}): ${error.message}` : `Log-in failed (${error.code}): ${error.message}`;
    logOut(reason);
    return;
  }
  byId('token').value = '';
  showSession();
  if (!location.hash || location.hash === '#') location.hash = '#/streams';
  else render();
});

byId('logout').addEventListener('click', () => logOut());

byId('correlation-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const correlationId = event.target.elements.correlationId.value.trim();
  if (correlationId) location.hash = `#${correlationRoute(correlationId)}`;
});

// ---- views ----------------------------------------------------------------------------------

/** The streams, filtered by tenant, aggregate type and id prefix, a page at a time. */
const streamsView = async (_segments, params) => {
  const filters = { tenant: params.get('tenant') ?? '', type: params.get('type') ?? '', idPrefix: params.get('idPrefix') ?? '' };
  const form = el(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Stream filters' },
    el('label', {}, 'Tenant', el('input', { name: 'tenant', value: filters.tenant, size: 38, maxlength: 255 })),
    el('label', {}, 'Aggregate type', el('input', { name: 'type', value: filters.type, size: 20, maxlength: 255 })),
    el('label', {}, 'Aggregate id starts with', el('input', { name: 'idPrefix', value: filters.idPrefix, size: 38, maxlength: 255 })),
    el('button', { type: 'submit' }, 'Find streams'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = `#/streams${query({ tenant: data.get('tenant').trim(), type: data.get('type').trim(), idPrefix: data.get('idPrefix').trim() })}`;
  });
  const cursor = params.get('cursor') ?? undefined;
  const page = await api('GET', `/v1/admin/streams${query({ ...filters, cursor })}`);
  const rows = page.streams.map((s) =>
    el(
      'tr',
      { dataset: { stream: `${s.tenantId}/${s.aggregateType}/${s.aggregateId}` } },
      el('td', { class: 'mono' }, link(`/streams${query({ tenant: s.tenantId })}`, s.tenantId)),
      el('td', {}, s.aggregateType),
      el('td', { class: 'mono' }, link(streamRoute(s), s.aggregateId)),
      el('td', { class: 'num' }, s.version),
      el('td', {}, when(s.lastRecordedAt)),
    ),
  );
  const pager = el(
    'div',
    { class: 'pager' },
    cursor && link(`/streams${query(filters)}`, '« First page'),
    page.nextCursor && link(`/streams${query({ ...filters, cursor: page.nextCursor })}`, 'Next page »'),
  );
  return [
    el('h2', {}, 'Streams'),
    form,
    rows.length ? table(['Tenant', 'Aggregate type', 'Aggregate id', 'Version', 'Last event'], rows, { 'aria-label': 'Streams' }) : el('p', {}, 'No stream matches these filters.'),
    pager,
  ];
};

/** One event whole: envelope, data and metadata; its ids lead to its stream, its cause and its process. */
const eventCard = (event, { showStream = false } = {}) => {
  const { metadata } = event;
  const causation = metadata.causationId;
  return el(
    'article',
    { class: 'event', dataset: { eventId: event.eventId }, 'aria-label': `Event ${event.version} ${event.type}` },
    el('h3', {}, `v${event.version} · ${event.type}`),
    fields([
      showStream ? ['Stream', link(streamRoute(event), `${event.tenantId} / ${event.aggregateType} / ${event.aggregateId}`)] : ['Stream', undefined],
      ['Event id', link(`/event/${enc(event.eventId)}`, event.eventId)],
      ['Position', `${event.position} (transaction ${event.transactionId})`],
      ['Recorded', when(event.recordedAt)],
      ['Occurred', when(event.occurredAt)],
      ['Actor', actorText(metadata.actor)],
      ['Correlation', metadata.correlationId ? link(correlationRoute(metadata.correlationId, event.tenantId), metadata.correlationId) : '—'],
      ['Causation', causation ? (UUID.test(causation) ? link(`/event/${enc(causation)}`, causation) : causation) : '—'],
      ['Command', metadata.commandId ?? '—'],
      ['Schema version', event.schemaVersion],
    ]),
    el('div', { class: 'columns' }, el('div', {}, el('h4', {}, 'Data'), json(event.data)), el('div', {}, el('h4', {}, 'Metadata'), json(metadata))),
  );
};

const streamView = async ([tenantId, aggregateType, aggregateId], params) => {
  const fromVersion = params.get('fromVersion') ?? undefined;
  const path = `/v1/admin/streams/${enc(tenantId)}/${enc(aggregateType)}/${enc(aggregateId)}${query({ fromVersion })}`;
  const page = await api('GET', path);
  const route = streamRoute(page.stream);
  return [
    el('h2', {}, `Stream ${aggregateType} ${aggregateId}`),
    fields([
      ['Tenant', link(`/streams${query({ tenant: tenantId })}`, tenantId)],
      ['Aggregate type', link(`/streams${query({ tenant: tenantId, type: aggregateType })}`, aggregateType)],
      ['Aggregate id', aggregateId],
      ['Version', page.version],
    ]),
    el('section', { 'aria-label': 'Events' }, page.events.map((event) => eventCard(event))),
    el(
      'div',
      { class: 'pager' },
      fromVersion && link(route, '« From version 1'),
      page.nextFromVersion && link(`${route}${query({ fromVersion: page.nextFromVersion })}`, `From version ${page.nextFromVersion} »`),
    ),
  ];
};

const eventView = async ([eventId]) => {
  const { event } = await api('GET', `/v1/admin/events/${enc(eventId)}`);
  return [el('h2', {}, `Event ${event.type}`), eventCard(event, { showStream: true })];
};

const chainLink = (tenantId, link_) => {
  if (link_.kind === 'event') {
    const stream = { tenantId, aggregateType: link_.aggregateType, aggregateId: link_.aggregateId };
    return el(
      'li',
      { dataset: { kind: 'event', eventId: link_.eventId } },
      el('span', { class: 'kind' }, 'event'),
      el('strong', {}, link_.type),
      ' in ',
      link(streamRoute(stream), `${link_.aggregateType} ${link_.aggregateId}`),
      ` v${link_.version} · by ${actorText(link_.actor)} · `,
      when(link_.recordedAt),
      ' · ',
      link(`/event/${enc(link_.eventId)}`, 'event'),
      el('details', {}, el('summary', {}, 'data'), json(link_.data)),
    );
  }
  return el(
    'li',
    { dataset: { kind: 'command', commandId: link_.commandId } },
    el('span', { class: 'kind command' }, 'command'),
    el('strong', {}, link_.type),
    ` to ${link_.aggregateType} · sent by ${link_.sentBy} · `,
    link_.outcome ? badge(link_.outcome, link_.outcome === 'applied' ? 'running' : 'stopped') : badge('not sent yet', 'rebuilding'),
    ' · ',
    when(link_.sentAt ?? link_.createdAt),
    el('details', {}, el('summary', {}, 'data'), json(link_.data), link_.error ? json(link_.error) : null),
  );
};

/** One business process: its events in log order, each followed by the commands sagas sent because of it. */
const correlationView = async ([correlationId], params) => {
  const tenant = params.get('tenant') ?? undefined;
  const answer = await api('GET', `/v1/admin/correlations/${enc(correlationId)}${query({ tenant })}`);
  return [
    el('h2', {}, `Correlation ${correlationId}`),
    tenant ? el('p', {}, 'In tenant ', el('span', { class: 'mono' }, tenant), ' · ', link(correlationRoute(correlationId), 'in every tenant')) : null,
    answer.tenants.map(({ tenantId, chain, truncated }) =>
      el(
        'section',
        { 'aria-label': `Chain in tenant ${tenantId}` },
        el('h3', {}, 'Tenant ', link(`/streams${query({ tenant: tenantId })}`, tenantId), ` · ${chain.length} links`),
        el('ol', { class: 'chain' }, chain.map((l) => chainLink(tenantId, l))),
        truncated ? el('p', { class: 'note' }, 'The process goes on: only its first 1,000 events are shown.') : null,
      ),
    ),
    answer.moreTenants ? el('p', { class: 'note' }, 'More tenants carry this id: the first 20 by id are shown. Pick one with ?tenant=.') : null,
  ];
};

const controlButton = (kind, report) => {
  const action = report.paused ? 'resume' : 'pause';
  const label = report.paused ? 'Resume' : 'Pause';
  const base = { saga: '/v1/admin/sagas', subscription: '/v1/admin/subscriptions' }[kind] ?? '/v1/admin/projections';
  return el(
    'button',
    {
      type: 'button',
      'aria-label': `${label} ${report.name}`,
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          const after = await api('POST', `${base}/${enc(report.name)}/${action}`);
          await render();
          say(`${after.name} ${after.paused ? 'paused' : 'resumed'} (status ${after.status})`);
        } catch (error) {
          event.target.disabled = false;
          say(`${label} ${report.name} failed (${error.code}): ${error.message}`, true);
        }
      },
    },
    label,
  );
};

const stateCell = (report) => el('td', {}, badge(report.status), ' ', report.paused ? badge('paused') : null);
const lagCells = (report) => [el('td', { class: 'num' }, report.lagEvents), el('td', { class: 'num' }, report.lagSeconds.toFixed(1))];
const lettersCell = (report) => el('td', { class: 'num' }, report.deadLetters ? link('/dead-letters', report.deadLetters) : 0);

/** Each projection, saga and other consumer of the log (the relay): where it stands, how far behind the log, and its kill switch. */
const subscriptionsView = async () => {
  const [{ projections }, { sagas }, { subscriptions }] = await Promise.all([
    api('GET', '/v1/admin/projections'),
    api('GET', '/v1/admin/sagas/subscriptions'),
    api('GET', '/v1/admin/subscriptions'),
  ]);
  // Projections and sagas have their own tables (sagas' subscriptions are named saga:<name>).
  const others = subscriptions.filter((s) => !s.name.startsWith('saga:') && !projections.some((p) => p.name === s.name));
  const otherRows = others.map((s) =>
    el(
      'tr',
      { dataset: { subscription: s.name } },
      el('th', { scope: 'row' }, s.name),
      stateCell(s),
      ...lagCells(s),
      lettersCell(s),
      el('td', {}, s.lastError ?? ''),
      el('td', {}, controlButton('subscription', s)),
    ),
  );
  const projectionRows = projections.map((p) =>
    el(
      'tr',
      { dataset: { projection: p.name } },
      el('th', { scope: 'row' }, p.name),
      stateCell(p),
      ...lagCells(p),
      lettersCell(p),
      el('td', {}, p.partitions.map((part) => el('div', { class: 'mono' }, `#${part.partition} at ${part.position} · ${part.owner ?? 'no owner'}`))),
      el('td', {}, p.lastError ?? ''),
      el('td', {}, controlButton('projection', p)),
    ),
  );
  const sagaRows = sagas.map((s) =>
    el(
      'tr',
      { dataset: { saga: s.name } },
      el('th', { scope: 'row' }, s.name),
      stateCell(s),
      ...lagCells(s),
      lettersCell(s),
      el('td', { class: 'num' }, s.activeInstances),
      el('td', {}, s.lastError ?? ''),
      el('td', {}, controlButton('saga', s)),
    ),
  );
  return [
    el('h2', {}, 'Projections'),
    table(['Projection', 'Status', 'Lag (events)', 'Lag (s)', 'Dead letters', 'Partitions', 'Last error', ''], projectionRows, { 'aria-label': 'Projections' }),
    el('h2', {}, 'Sagas'),
    table(['Saga', 'Status', 'Lag (events)', 'Lag (s)', 'Dead letters', 'Active instances', 'Last error', ''], sagaRows, { 'aria-label': 'Sagas' }),
    el('h2', {}, 'Other subscriptions'),
    otherRows.length
      ? table(['Subscription', 'Status', 'Lag (events)', 'Lag (s)', 'Dead letters', 'Last error', ''], otherRows, { 'aria-label': 'Other subscriptions' })
      : el('p', {}, 'None (the relay runs only with AMQP_URL).'),
    el('button', { type: 'button', onclick: () => render() }, 'Refresh'),
  ];
};

/** A Retry button for `what` that POSTs to `path`, shows the page again and says `done` (or why it failed). */
const retryButton = (what, path, disabled, done) =>
  el(
    'button',
    {
      type: 'button',
      'aria-label': `Retry ${what}`,
      disabled,
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          await api('POST', path);
          await render();
          say(done);
        } catch (error) {
          event.target.disabled = false;
          say(`Retrying ${what} failed (${error.code}): ${error.message}`, true);
        }
      },
    },
    'Retry',
  );

/** Events a subscription (a projection, a saga, the relay) could not handle, with the error; retry sends it back to them. */
const deadLettersView = async () => {
  const { deadLetters } = await api('GET', '/v1/admin/dead-letters');
  const rows = deadLetters.map((letter) => {
    const isSaga = letter.projection.startsWith('saga:');
    const path = isSaga ? `/v1/admin/sagas/dead-letters/${letter.id}/retry` : `/v1/admin/dead-letters/${letter.id}/retry`;
    const retry = retryButton(`dead letter ${letter.id}`, path, Boolean(letter.retriedAt), `Dead letter ${letter.id} retried`);
    return el(
      'tr',
      { dataset: { deadLetter: letter.id } },
      el('td', { class: 'num' }, letter.id),
      el('td', {}, letter.projection),
      el('td', {}, link(`/event/${enc(letter.eventId)}`, letter.eventType), el('div', { class: 'mono muted' }, letter.stream)),
      el('td', {}, el('details', {}, el('summary', {}, letter.error), el('pre', { class: 'json' }, letter.stack ?? ''))),
      el('td', { class: 'num' }, letter.attempts),
      el('td', {}, when(letter.createdAt)),
      el('td', {}, letter.retriedAt ? when(letter.retriedAt) : 'not yet'),
      el('td', {}, retry),
    );
  });
  return [
    el('h2', {}, 'Dead letters'),
    rows.length
      ? table(['Id', 'Subscription', 'Event', 'Error', 'Attempts', 'Recorded', 'Retried', ''], rows, { 'aria-label': 'Dead letters' })
      : el('p', {}, 'No dead letters.'),
    ...(await inboxLetters()),
  ];
};

/** RabbitMQ messages an inbox consumer parked after its attempts; a retry is carried out where the consumer runs. */
const inboxLetters = async () => {
  const { deadLetters } = await api('GET', '/v1/admin/inbox/dead-letters');
  const rows = deadLetters.map((letter) => {
    const path = `/v1/admin/inbox/dead-letters/${letter.id}/retry`;
    const retry = retryButton(`inbox message ${letter.id}`, path, Boolean(letter.retryRequestedAt), `Retry of inbox message ${letter.id} asked for`);
    return el(
      'tr',
      { dataset: { inboxLetter: letter.id } },
      el('td', { class: 'num' }, letter.id),
      el('td', {}, letter.consumer),
      el('td', {}, link(`/event/${enc(letter.messageId)}`, letter.eventType ?? letter.messageId), el('div', { class: 'mono muted' }, letter.routingKey)),
      el('td', {}, letter.error),
      el('td', { class: 'num' }, letter.attempts),
      el('td', {}, when(letter.parkedAt)),
      el('td', {}, letter.retryRequestedAt ? `asked ${when(letter.retryRequestedAt)}` : 'not asked'),
      el('td', {}, retry),
    );
  });
  return [
    el('h2', {}, 'Inbox messages'),
    rows.length
      ? table(['Id', 'Consumer', 'Event', 'Error', 'Attempts', 'Parked', 'Retry', ''], rows, { 'aria-label': 'Parked inbox messages' })
      : el('p', {}, 'No parked inbox messages.'),
  ];
};

// ---- routing --------------------------------------------------------------------------------

const ROUTES = [
  [/^\/streams$/, streamsView, 'Streams'],
  [/^\/stream\/([^/]+)\/([^/]+)\/([^/]+)$/, streamView, 'Stream'],
  [/^\/event\/([^/]+)$/, eventView, 'Event'],
  [/^\/correlation\/([^/]+)$/, correlationView, 'Correlation'],
  [/^\/subscriptions$/, subscriptionsView, 'Projections & sagas'],
  [/^\/dead-letters$/, deadLettersView, 'Dead letters'],
];

let rendering = 0;

/** Shows the view the location's '#' route names; a view finished after a newer one started is dropped. */
async function render() {
  if (!token()) return showSession();
  const mine = ++rendering;
  const [path, search = ''] = (location.hash.slice(1) || '/streams').split('?');
  const found = ROUTES.map(([pattern, build, title]) => ({ match: pattern.exec(path), build, title })).find((r) => r.match);
  if (!found) {
    view.replaceChildren(el('p', {}, 'No such view. ', link('/streams', 'Streams')));
    return;
  }
  say('Loading…');
  view.setAttribute('aria-busy', 'true');
  try {
    const segments = found.match.slice(1).map((segment) => decodeURIComponent(segment));
    const content = await found.build(segments, new URLSearchParams(search));
    if (mine !== rendering) return;
    view.replaceChildren(...[content].flat(Infinity).filter(Boolean));
    document.title = `${found.title} · Chronicle event browser`;
    say('');
  } catch (error) {
    if (mine !== rendering) return;
    if (error instanceof ApiError && error.status === 401) return;
    view.replaceChildren();
    say(error instanceof ApiError ? `${error.code}: ${error.message}` : `Failed: ${error.message}`, true);
  } finally {
    if (mine === rendering) view.removeAttribute('aria-busy');
  }
}

window.addEventListener('hashchange', () => render());
showSession();
render();
