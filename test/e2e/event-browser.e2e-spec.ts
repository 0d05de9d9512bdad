import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumExecutable } from '../support/chromium.js';
import { sendJson } from '../support/http.js';
import { childEnvironment, freePort } from '../support/processes.js';
import { day } from '../support/stays.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The event browser (/admin) in a real browser: Debian's chromium, headless, driven by
 * playwright-core, against the built app as `npm start` runs it (its own process, its workers
 * running projections and sagas). A practice owner books a reservation with a deposit over
 * HTTP; an operator logs in, finds its stream, follows its correlation chain, pauses and
 * resumes a projection, retries a dead letter and asks for a parked inbox message's retry.
 * Screenshots go to test/e2e/screenshots/.
 */
const SECRET = 'event-browser-test-secret-of-at-least-32-bytes';
const OPERATOR = 'ops';
const OWNER = 'owen';
/** A guest name that runs script if the page ever treats event data as HTML. */
const XSS = '<img src=x onerror=window.__xss=1>';
const SCREENSHOTS = 'test/e2e/screenshots';
const POISONED_DAY = '2099-01-01';

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** The built app on the test database, ready when /health/live answers. */
const launch = async (databaseUrl: string): Promise<Running> => {
  const port = await freePort();
  const env = {
    ...childEnvironment(),
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    JWT_SECRET: SECRET,
    OPERATOR_USER_IDS: OPERATOR,
    FAKE_PROVIDER_DELAY_MS: '50',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const running = { child, url: `http://127.0.0.1:${port}`, output: () => output };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited early:\n${output}`);
    if (await fetch(`${running.url}/health/live`).then((r) => r.ok, () => false)) return running;
    await sleep(100);
  }
  throw new Error(`the app did not start:\n${output}`);
};

const eventually = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(50);
  }
};

describe('the event browser at /admin, in chromium', () => {
  let db: TestDatabase;
  let app: Running;
  let browser: Browser;
  let page: Page;
  let practice: string;
  let reservation: string;
  let correlationId: string;
  const pageErrors: string[] = [];
  const jwt = new JwtService({ secret: SECRET });
  const tokenOf = (userId: string) => jwt.sign({ sub: userId, actorType: 'human' }, { expiresIn: '1h' });
  const as = (userId: string) => ({ authorization: `Bearer ${tokenOf(userId)}`, 'content-type': 'application/json' });
  const api = (method: string, path: string, userId: string, body?: unknown) => sendJson(app.url, method, path, as(userId), body);
  const occupancyReport = async () => (await api('GET', '/v1/admin/projections/occupancy', OPERATOR)).body;
  const screenshot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/event-browser-${name}.png`, fullPage: true });

  beforeAll(async () => {
    const executablePath = chromiumExecutable(); // fails the suite, clearly, when chromium is missing
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    app = await launch(db.url);

    const created = await api('POST', '/v1/practices', OWNER, { name: 'Harbour Dental' });
    expect(created.status).toBe(201);
    practice = created.body.practiceId;
    const stay = { guestId: 'g-1', guestName: XSS, checkInDate: day(10), nights: 2, deposit: { amount: 5000, currency: 'EUR' } };
    const booked = await api('POST', `/v1/practices/${practice}/reservations`, OWNER, stay);
    expect(booked.status).toBe(201);
    reservation = booked.body.reservationId;
    correlationId = booked.headers.get('x-correlation-id')!;
    // The deposit saga requests the payment, the fake provider captures it, the saga confirms.
    await eventually(
      'the deposit to confirm the reservation',
      () => api('GET', `/v1/practices/${practice}/reservations/${reservation}`, OWNER),
      (r) => r.body?.status === 'confirmed',
    );

    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    // Refused requests (the owner's 403) are logged as failed loads; anything else (a CSP violation) is a fault.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${message.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (app && app.child.exitCode === null) await new Promise((resolve) => app.child.once('exit', resolve).kill('SIGTERM'));
    await db?.drop();
  });

  it('refuses a practice owner’s token at log-in: the browser is for operators', async () => {
    await page.goto(`${app.url}/admin`);
    await page.getByLabel('Operator token').fill(tokenOf(OWNER));
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByRole('alert').filter({ hasText: 'OPERATORS_ONLY' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not an operator');
    expect(await page.getByRole('navigation', { name: 'Views' }).isVisible()).toBe(false);
  });

  it('logs an operator in with a pasted token, kept in the tab’s session storage', async () => {
    const token = tokenOf(OPERATOR);
    await page.getByLabel('Operator token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByRole('table', { name: 'Streams' }).waitFor();
    expect(await page.locator('#who').textContent()).toContain(`Operator ${OPERATOR}`);
    const stored = await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('chronicle.operatorToken'));
    expect(stored).toBe(token);
  });

  it('finds the reservation’s stream by tenant, aggregate type and id prefix, and shows its events', async () => {
    await page.getByLabel('Tenant').fill(practice);
    await page.getByLabel('Aggregate type').fill('reservation');
    await page.getByLabel('Aggregate id starts with').fill(reservation.slice(0, 8));
    await page.getByRole('button', { name: 'Find streams' }).click();

    await page.waitForURL(/idPrefix=/);
    const rows = page.getByRole('table', { name: 'Streams' }).locator('tbody tr');
    // The filtered list replaces the whole one once its request returns: until then the table shows every stream.
    expect(await eventually('the filtered list', () => rows.count(), (count) => count === 1)).toBe(1);
    expect(await rows.first().getAttribute('data-stream')).toBe(`${practice}/reservation/${reservation}`);
    await screenshot('1-streams');

    await rows.first().getByRole('link', { name: reservation }).click();

    await page.getByRole('heading', { name: `Stream reservation ${reservation}` }).waitFor();
    const titles = await page.locator('article.event h3').allTextContents();
    expect(titles).toEqual(['v1 · reservation.created', 'v2 · reservation.confirmed']);
    await screenshot('2-stream');
  });

  it('shows event data as text: a guest name holding markup stays text and runs nothing', async () => {
    const created = page.locator('article.event').first();
    const data = JSON.parse((await created.locator('pre.json').first().textContent())!);
    const metadata = JSON.parse((await created.locator('pre.json').nth(1).textContent())!);

    expect(data).toMatchObject({ reservationId: reservation, guestName: XSS });
    expect(metadata).toMatchObject({ actor: { type: 'human', id: OWNER }, correlationId });
    expect(await page.locator('#view img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it('follows the reservation’s correlation chain: its events and the saga’s commands, in causal order', async () => {
    await page.locator('article.event').first().getByRole('link', { name: correlationId }).click();

    await page.getByRole('heading', { name: `Correlation ${correlationId}` }).waitFor();
    const links: string[] = [];
    for (const item of await page.locator('ol.chain > li').all()) {
      links.push(`${await item.getAttribute('data-kind')}:${await item.locator('strong').textContent()}`);
    }
    expect(links.filter((link) => !link.startsWith('event:saga.'))).toEqual([
      'event:reservation.created',
      'command:RequestPayment',
      'event:payment.requested',
      'event:payment.captured',
      'command:ConfirmReservation',
      'event:reservation.confirmed',
    ]);
    await screenshot('3-correlation');

    // A link of the chain leads to its stream: the payment's.
    await page.locator('ol.chain > li', { hasText: 'payment.captured' }).getByRole('link', { name: `payment ${reservation}` }).click();
    await page.getByRole('heading', { name: `Stream payment ${reservation}` }).waitFor();
    expect(await page.locator('article.event h3').allTextContents()).toEqual(['v1 · payment.requested', 'v2 · payment.captured']);
  });

  it('pauses and resumes a projection: the page and the admin API agree', async () => {
    await page.getByRole('link', { name: 'Projections & sagas' }).click();
    const occupancy = page.getByRole('table', { name: 'Projections' }).locator('tr[data-projection="occupancy"]');
    await occupancy.waitFor();
    expect(await occupancy.locator('.badge').allTextContents()).toEqual(['running']);
    expect((await occupancyReport()).paused).toBe(false);
    expect(await page.getByRole('table', { name: 'Sagas' }).locator('tr[data-saga="reservation-deposit"]').count()).toBe(1);

    await page.getByRole('button', { name: 'Pause occupancy' }).click();

    await page.getByRole('button', { name: 'Resume occupancy' }).waitFor();
    expect(await occupancy.locator('.badge').allTextContents()).toEqual(['running', 'paused']);
    expect(await page.getByRole('status').textContent()).toContain('occupancy paused');
    expect((await occupancyReport()).paused).toBe(true);
    await screenshot('4-projection-paused');

    await page.getByRole('button', { name: 'Resume occupancy' }).click();

    await page.getByRole('button', { name: 'Pause occupancy' }).waitFor();
    expect(await occupancy.locator('.badge').allTextContents()).toEqual(['running']);
    expect((await occupancyReport()).paused).toBe(false);
  });

  it('pauses and resumes a subscription that is neither projection nor saga (the relay): the page and the admin API agree', async () => {
    // Workers record a subscription's checkpoints as they start it: here, the relay's, as a worker with AMQP_URL would.
    await db.pool.query(`INSERT INTO projection_checkpoints (projection, partition) VALUES ('relay', 0) ON CONFLICT DO NOTHING`);
    const relayReport = async () => (await api('GET', '/v1/admin/subscriptions/relay', OPERATOR)).body as { paused: boolean };
    await page.getByRole('link', { name: 'Projections & sagas' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click(); // the page may show this view from before the insert
    const relay = page.getByRole('table', { name: 'Other subscriptions' }).locator('tr[data-subscription="relay"]');
    await relay.waitFor();
    expect(await page.getByRole('table', { name: 'Other subscriptions' }).locator('tr[data-subscription="occupancy"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Pause relay' }).click();

    await page.getByRole('button', { name: 'Resume relay' }).waitFor();
    expect(await relay.locator('.badge').allTextContents()).toEqual(['running', 'paused']);
    expect((await relayReport()).paused).toBe(true);

    await page.getByRole('button', { name: 'Resume relay' }).click();

    await page.getByRole('button', { name: 'Pause relay' }).waitFor();
    expect((await relayReport()).paused).toBe(false);
  });

  it('lists a projection’s dead letter with its error, and retries it', async () => {
    // The read model refuses one day, as a broken projection would: occupancy stops at that event.
    await db.pool.query(`ALTER TABLE occupancy_days ADD CONSTRAINT refuse_poisoned_day CHECK (day <> '${POISONED_DAY}')`);
    try {
      const booked = await api('POST', `/v1/practices/${practice}/reservations`, OWNER, { guestId: 'g-2', guestName: 'Grace Hopper', checkInDate: POISONED_DAY, nights: 1 });
      expect(booked.status).toBe(201);
      await eventually('occupancy to stop at the dead letter', occupancyReport, (r) => r.status === 'stopped');

      await page.getByRole('link', { name: 'Dead letters' }).click();
      const letter = page.getByRole('table', { name: 'Dead letters' }).locator('tbody tr');
      await letter.waitFor();
      expect(await letter.count()).toBe(1);
      expect(await letter.textContent()).toContain('reservation.created');
      expect(await letter.textContent()).toContain('refuse_poisoned_day');
      await screenshot('5-dead-letters');
    } finally {
      await db.pool.query(`ALTER TABLE occupancy_days DROP CONSTRAINT refuse_poisoned_day`);
    }

    await page.getByRole('button', { name: /^Retry dead letter/ }).click();

    await page.getByRole('status').filter({ hasText: /Dead letter \d+ retried/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Retry dead letter/ }).isDisabled()).toBe(true);
    const running = await eventually('occupancy to run and catch up', occupancyReport, (r) => r.status === 'running' && r.lagEvents === 0);
    expect(running.deadLetters).toBe(0);
  });

  it('lists an inbox message parked after its attempts, and asks for its retry', async () => {
    // As the inbox runner parks a message (this app runs no broker): its last error names the guest.
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO inbox_failures (consumer, message_id, routing_key, message, error, attempts, parked_at)
       VALUES ('notifications.guest-confirmations', gen_random_uuid()::text, $1, '{"type": "reservation.confirmed"}', $2, 5, now())
       RETURNING id::int`,
      [`${practice}.reservation.reservation.confirmed`, `550 mailbox unavailable: ${XSS}`],
    );

    await page.getByRole('link', { name: 'Streams' }).click();
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const parked = page.getByRole('table', { name: 'Parked inbox messages' }).locator('tbody tr');
    await parked.waitFor();
    expect(await parked.count()).toBe(1);
    expect(await parked.locator('td').allTextContents()).toEqual([
      String(rows[0].id),
      'notifications.guest-confirmations',
      `reservation.confirmed${practice}.reservation.reservation.confirmed`,
      `550 mailbox unavailable: ${XSS}`,
      '5',
      expect.any(String),
      'not asked',
      'Retry',
    ]);
    await screenshot('5b-parked-inbox-message');

    await page.getByRole('button', { name: `Retry inbox message ${rows[0].id}` }).click();

    await page.getByRole('status').filter({ hasText: `Retry of inbox message ${rows[0].id} asked for` }).waitFor();
    expect(await page.getByRole('button', { name: `Retry inbox message ${rows[0].id}` }).isDisabled()).toBe(true);
    expect(await parked.locator('td').nth(6).textContent()).toMatch(/^asked /);
    const stored = await db.pool.query(`SELECT retry_requested_at IS NOT NULL AS asked FROM inbox_failures WHERE id = $1`, [rows[0].id]);
    expect(stored.rows).toEqual([{ asked: true }]);
  });

  it('shows a forgotten guest’s personal fields redacted, as every reader of the store does', async () => {
    const forgotten = await api('POST', `/v1/practices/${practice}/subjects/g-1/forget`, OWNER);
    expect(forgotten.status).toBe(200);

    await page.goto(`${app.url}/admin#/stream/${practice}/reservation/${reservation}`);
    await page.getByRole('heading', { name: `Stream reservation ${reservation}` }).waitFor();

    const data = JSON.parse((await page.locator('article.event').first().locator('pre.json').first().textContent())!);
    expect(data).toMatchObject({ reservationId: reservation, guestId: 'g-1', guestName: '[redacted]' });
    expect(await page.locator('#view').textContent()).not.toContain('onerror');
    await screenshot('6-forgotten-guest');
  });

  it('raised no script error and broke no content-security rule on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
