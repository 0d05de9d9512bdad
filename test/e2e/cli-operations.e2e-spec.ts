import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../support/http.js';
import { createPractice } from '../support/practices.js';
import { stay } from '../support/stays.js';
import { describeOnFreshMachine } from '../support/app-process.js';
import { runCli, spawnCli } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The operators' inspection commands (sagas, streams, the log, the read models' consistency) as
 * they run them: the compiled CLI in a process of its own, on a running app's database.
 * When running this file alone, build first: `npx tsc -p tsconfig.build.json`.
 */

describeOnFreshMachine('CLI: operations commands', () => {
  let app: TestApp;
  let practice: string;
  /** A reservation with a deposit the fake provider never answers (…42): its saga waits on its deadline. */
  let awaiting: string;
  /** One without a deposit, booked last. */
  let plain: string;

  const cli = (args: readonly string[]) => runCli(app.db.url, args);
  /**
   * Until every event of this database is readable: the log's readers (events:tail among them)
   * stop below the oldest transaction open on the server, another test file's too.
   */
  const allReadable = async (): Promise<void> => {
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(50)) {
      const { rows } = await app.db.pool.query<{ hidden: number }>(
        `SELECT count(*)::int AS hidden FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`,
      );
      if (rows[0].hidden === 0) return;
    }
    throw new Error('events stayed behind an open transaction for 30 s');
  };
  /** What a check printed on stderr besides its waits for transactions open elsewhere on the server. */
  const besidesWaits = (stderr: string) => stderr.replace(/^waiting: .*\n/gm, '');


  const book = async (body: object, correlationId: string): Promise<string> => {
    const headers = { ...app.as('owner'), 'x-correlation-id': correlationId };
    const path = `/v1/practices/${practice}/reservations`;
    const created = await sendJson(app.baseUrl, 'POST', path, headers, body);
    expect(created.status).toBe(201);
    return created.body.reservationId as string;
  };

  beforeAll(async () => {
    // A deadline far away: the saga stays active, with its deadline pending, for the whole file.
    app = await startTestApp({ FAKE_PROVIDER_DELAY_MS: '50', DEPOSIT_DEADLINE_SECONDS: '600' });
    practice = await createPractice(app, 'owner');
    awaiting = await book({ ...stay(), deposit: { amount: 1042, currency: 'EUR' } }, 'cli-deposit');
    plain = await book(stay(3), 'cli-plain');
    // The saga has requested the payment: nothing moves any more until the deadline. Its worker
    // polls; on a machine busy with the rest of the suite that took over 15 s twice.
    const end = Date.now() + 45_000;
    const paymentPath = `/v1/practices/${practice}/payments/${awaiting}`;
    const payment = () => sendJson(app.baseUrl, 'GET', paymentPath, app.as('owner'));
    while ((await payment()).status !== 200) {
      if (Date.now() > end) throw new Error('the deposit saga requested no payment');
      await sleep(50);
    }
  });
  afterAll(() => app.close());

  it('prints a command\'s help and exits 0; exits 1 with the usage for bad arguments', async () => {
    const [help, badLimit, noTenant, unknownOption] = await Promise.all([
      cli(['streams:show', '--help']),
      cli(['events:tail', '--limit', 'all']),
      cli(['streams:show', 'reservation', plain]),
      cli(['sagas:list', '--colour']),
    ]);

    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: npm run cli -- streams:show <aggregateType> <id> --tenant <tenantId>\n\n.+/);
    for (const [run, message] of [
      [badLimit, '--limit takes a count from 1, not all'],
      [noTenant, '--tenant <tenantId> is required'],
      [unknownOption, "Unknown option '--colour'"],
    ] as const) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('usage: npm run cli -- <command>');
      expect(run.stderr).toContain('check:consistency');
    }
  });

  it('exits 1 with the usage for a position or an id past 2^53, which a number would hold rounded', async () => {
    // Rounded, 9999999999999999 named dead letter 10000000000000000,
    // and 99999999999999999999999 reached PostgreSQL as 1e+23.
    const [hugePosition, roundedLetter, roundedMessage] = await Promise.all([
      cli(['projections:replay', 'occupancy', '--from', '99999999999999999999999']),
      cli(['dead-letters:retry', '9999999999999999']),
      cli(['inbox:retry', '9007199254740992']),
    ]);

    for (const [run, message] of [
      [hugePosition, '--from takes a position, a whole number up to 9007199254740991, not 99999999999999999999999'],
      [roundedLetter, "<id> is a dead letter's number, from 1 to 9007199254740991, not 9999999999999999"],
      [roundedMessage, "<id> is a parked message's number, from 1 to 9007199254740991, not 9007199254740992"],
    ] as const) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('usage: npm run cli -- <command>');
    }
  });

  it('streams:show prints version, type, time, actor, correlation and data; exits 1 for no events', async () => {
    const run = await cli(['streams:show', 'reservation', plain, '--tenant', practice]);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^v1 {2}reservation\.created {2}recorded \d{4}-\d\d-\d\dT[\d:.]+Z {2}actor human:owner {2}correlation cli-plain$/,
    );
    expect(JSON.parse(lines[1])).toMatchObject({ guestName: 'Ada Lovelace', nights: 3 });

    const empty = await cli(['streams:show', 'reservation', 'no-such-reservation', '--tenant', practice]);
    const stderr = `No events in stream ${practice}/reservation/no-such-reservation\n`;
    expect(empty).toEqual({ code: 1, stdout: '', stderr });
  });

  it('sagas:list shows the deposit saga active on its reservation, with its pending deadline', async () => {
    const run = await cli(['sagas:list', '--status', 'active', '--type', 'reservation-deposit']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(
      new RegExp(
        `^reservation-deposit {2}active {2}key ${awaiting} {2}tenant ${practice} `
          + '{2}updated \\S+ {2}deadlines deposit at \\S+Z$',
        'm',
      ),
    );
    expect((await cli(['sagas:list', '--status', 'done'])).stdout).toBe('no saga instances\n');
  });

  it('inbox:list shows the parked inbox messages, inbox:retry asks for one; exits 1 for no such message', async () => {
    expect(await cli(['inbox:list'])).toEqual({ code: 0, stdout: 'no parked inbox messages\n', stderr: '' });
    // As the inbox runner parks a message (this app runs no broker).
    const { rows } = await app.db.pool.query<{ id: number }>(
      `INSERT INTO inbox_failures (consumer, message_id, routing_key, message, error, attempts, parked_at)
       VALUES ('notifications.guest-confirmations', 'm-1', 'k', '{"type": "reservation.confirmed"}', '550 mailbox unavailable', 5, now())
       RETURNING id::int`,
    );
    const id = rows[0].id;

    const listed = await cli(['inbox:list', '--consumer', 'notifications.guest-confirmations']);
    const retried = await cli(['inbox:retry', String(id)]);
    const [unknown, notANumber] = await Promise.all([cli(['inbox:retry', String(id + 1)]), cli(['inbox:retry', 'm-1'])]);

    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(
      new RegExp(`^${id} {2}notifications\\.guest-confirmations {2}reservation\\.confirmed {2}message m-1 {2}attempts 5 {2}parked \\S+ {2}550 mailbox unavailable\n$`),
    );
    expect({ code: retried.code, stderr: retried.stderr }).toEqual({ code: 0, stderr: '' });
    expect(retried.stdout).toMatch(new RegExp(`^retry of ${id} \\(notifications\\.guest-confirmations, message m-1\\) asked at \\S+\n$`));
    expect((await cli(['inbox:list'])).stdout).toMatch(/ {2}retry asked \S+ {2}550 mailbox unavailable\n$/);
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: `No dead letter ${id + 1}\n` });
    expect({ code: notANumber.code, stdout: notANumber.stdout }).toEqual({ code: 1, stdout: '' });
    expect(notANumber.stderr).toContain("<id> is a parked message's number, from 1 to 9007199254740991, not m-1");
  });

  it('events:tail --type reservation.created prints the newest ones, oldest first', async () => {
    await allReadable();
    const run = await cli(['events:tail', '--type', 'reservation.created', '--tenant', practice, '--limit', '5']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split('  ').slice(1, 4))).toEqual([
      [practice, `${practice}/reservation/${awaiting}`, 'reservation.created'],
      [practice, `${practice}/reservation/${plain}`, 'reservation.created'],
    ]);
    const positions = lines.map((line) => Number(line.split('  ')[0]));
    expect(positions[0]).toBeLessThan(positions[1]);
  });

  it('events:tail prints a stored id holding a newline and terminal escapes on its one line, escaped', async () => {
    const forged = 'u1\n4242  FORGED/practice/x  practice.created\u001b[2K\u001b[31mRED';
    const appended = await sendJson(app.baseUrl, 'POST', '/v1/events/append', app.as('owner'), {
      practiceId: practice,
      aggregateType: 'user',
      aggregateId: forged,
      eventType: 'user.created',
      payload: { name: 'n' },
    });
    expect(appended.status).toBe(201);

    await allReadable();
    const run = await cli(['events:tail', '--type', 'user.created', '--tenant', practice, '--limit', '1']);

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')).toEqual([
      expect.stringContaining(`${practice}/user/u1\\u000a4242  FORGED/practice/x  practice.created\\u001b[2K\\u001b[31mRED  user.created  `),
      '',
    ]);
  });

  it('events:tail --follow prints each new event as it commits, only those of its filter, until SIGINT (exit 0)', async () => {
    const following = spawnCli(app.db.url, ['events:tail', '--tenant', practice, '--type', 'reservation.created', '--limit', '1', '--follow'], 60_000);
    const printed = () => following.stdout().trimEnd().split('\n').filter(Boolean);
    const until = async (lines: number) => {
      const end = Date.now() + 30_000;
      while (printed().length < lines && Date.now() < end) await sleep(50);
    };
    await until(1);
    expect(printed()).toEqual([expect.stringContaining(`${practice}/reservation/${plain}  reservation.created`)]);

    const next = await book(stay(4), 'cli-follow');
    await sendJson(app.baseUrl, 'POST', `/v1/practices/${practice}/reservations/${next}/confirm`, app.as('owner'));
    const other = await createPractice(app, 'owner');
    await sendJson(app.baseUrl, 'POST', `/v1/practices/${other}/reservations`, app.as('owner'), stay());
    const last = await book(stay(5), 'cli-follow-2');
    await until(3);
    following.child.kill('SIGINT');
    const { code, stderr } = await following.exited;

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed().map((line) => line.split('  ')[2])).toEqual([
      `${practice}/reservation/${plain}`,
      `${practice}/reservation/${next}`,
      `${practice}/reservation/${last}`,
    ]);
  });

  it('token prints a bearer token the app accepts, without starting an app; exits 1 for bad arguments', async () => {
    const [signed, noUser, badActor, tooLong] = await Promise.all([
      cli(['token', '--user', 'tina', '--actor-type', 'ai']),
      cli(['token']),
      cli(['token', '--user', 'tina', '--actor-type', 'robot']),
      cli(['token', '--user', 'tina', '--expires', '400d']),
    ]);

    expect({ code: signed.code, stderr: signed.stderr }).toEqual({ code: 0, stderr: '' });
    const created = await sendJson(app.baseUrl, 'POST', '/v1/practices', {
      authorization: `Bearer ${signed.stdout.trim()}`,
      'content-type': 'application/json',
    }, { name: 'Signed by the CLI' });
    expect(created.status).toBe(201);
    expect({ code: noUser.code, stdout: noUser.stdout }).toEqual({ code: 1, stdout: '' });
    expect(noUser.stderr).toContain('--user <id> is required');
    expect({ code: badActor.code, stdout: badActor.stdout, stderr: badActor.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: '--actor-type must be one of human, ai, system\n',
    });
    expect({ code: tooLong.code, stdout: tooLong.stdout }).toEqual({ code: 1, stdout: '' });
    expect(tooLong.stderr).toMatch(/^--expires 400d: /);
  });

  it('token signs a user id of up to 255 characters, and refuses a longer one the app would refuse', async () => {
    const [longest, tooLong] = await Promise.all([
      cli(['token', '--user', 'u'.repeat(255)]),
      cli(['token', '--user', 'u'.repeat(256)]),
    ]);

    expect({ code: longest.code, stderr: longest.stderr }).toEqual({ code: 0, stderr: '' });
    const bearer = { authorization: `Bearer ${longest.stdout.trim()}` };
    expect((await sendJson(app.baseUrl, 'POST', '/v1/practices', bearer, { name: 'Long id' })).status).toBe(201);
    expect({ code: tooLong.code, stdout: tooLong.stdout }).toEqual({ code: 1, stdout: '' });
    expect(tooLong.stderr).toMatch(/^--user takes an id of 1 to 255 characters/);
  });

  it('check:consistency exits 0 on a clean database, 1 naming a row changed behind the projection', async () => {
    const clean = await cli(['check:consistency']);
    expect({ code: clean.code, stderr: besidesWaits(clean.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(clean.stdout).toMatch(/^consistent: \d+ read models \(.*reservation-list.*\) against \d+ events$/m);

    await app.db.pool.query(`UPDATE reservations SET status = 'cancelled' WHERE reservation_id = $1`, [plain]);
    const dirty = await cli(['check:consistency']);

    expect({ code: dirty.code, stderr: besidesWaits(dirty.stderr) }).toEqual({ code: 1, stderr: '' });
    expect(dirty.stdout).toContain(
      `reservation-list (reservations) [practice_id=${practice}, reservation_id=${plain}]: `
        + 'status is "cancelled", the events say "pending"\n',
    );
    expect(dirty.stdout).toMatch(/^\d+ differences: /m);
  });

  it('check:consistency compares text as text: names the role of user "1.10" changed behind the projection, beside "1.1"', async () => {
    const practiceId = await createPractice(app, 'owner', { '1.10': 'viewer', '1.1': 'viewer' });
    const renamed = await sendJson(app.baseUrl, 'PATCH', `/v1/practices/${practiceId}`, app.as('owner'), { name: '1.50' });
    expect(renamed.status).toBe(200);
    await app.db.pool.query(`UPDATE practice_members SET role = 'owner' WHERE practice_id = $1 AND user_id = '1.10'`, [practiceId]);
    await app.db.pool.query(`UPDATE practices SET name = '1.5' WHERE practice_id = $1`, [practiceId]);

    const run = await cli(['check:consistency']);

    expect({ code: run.code, stderr: besidesWaits(run.stderr) }).toEqual({ code: 1, stderr: '' });
    const lines = run.stdout.split('\n').filter((line) => line.includes(practiceId));
    expect(lines).toEqual([
      `practice-directory (practices) [practice_id=${practiceId}]: name is "1.5", the events say "1.50"`,
      `practice-members (practice_members) [practice_id=${practiceId}, user_id=1.10]: role is "owner", the events say "viewer"`,
    ]);
  });

  describe('check:consistency behind a transaction still open on the server', () => {
    /** A transaction holding an xid, open until the test ends it: the log's readers stop below it. */
    const holdReaders = async () => {
      const holder = await app.db.pool.connect();
      await holder.query('BEGIN');
      const xid = (await holder.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0].xid;
      return {
        /** The readers' fence as another session sees it, with the holder's xid and the log's last: the test's precondition. */
        fence: async () => {
          const { rows } = await app.db.pool.query(
            `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
               (SELECT max(transaction_id)::text FROM events) AS last,
               (SELECT count(*)::int FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS hidden`,
          );
          return { holder: xid, ...rows[0] };
        },
        end: async () => {
          await holder.query('ROLLBACK');
          holder.release();
        },
      };
    };
    /** Shows the fence whole when it hides nothing: whose xid, which the log's last. */
    const expectHidden = async (held: Awaited<ReturnType<typeof holdReaders>>) => {
      const fence = await held.fence();
      expect({ ...fence, hidesEvents: fence.hidden > 0 }).toMatchObject({ hidesEvents: true });
    };
    const WAITING = /^waiting: (the transaction of pid \d+|a prepared transaction) in database \S+, open [\d.]+ s, holds back the log's readers/m;

    it('waits for it, saying so, then checks the events committed after it began', async () => {
      const held = await holdReaders();
      let check: ReturnType<typeof spawnCli>;
      let behind: string;
      try {
        behind = await book(stay(4), 'cli-behind-open-transaction'); // committed, not readable while the holder is open
        await expectHidden(held);
        check = spawnCli(app.db.url, ['check:consistency'], 60_000);
        const end = Date.now() + 45_000; // the CLI's start (an app context) took over 20 s on CI's busiest minutes
        while (!WAITING.test(check.stderr()) && Date.now() < end) await sleep(50);
        if (!WAITING.test(check.stderr())) {
          throw new Error(`no wait said: ${JSON.stringify({ fence: await held.fence(), stderr: check.stderr(), stdout: check.stdout() })}`);
        }
      } finally {
        await held.end();
      }
      const run = await check.exited;

      // The earlier tests left rows changed behind the projections: a verdict, but none on this reservation.
      expect(besidesWaits(run.stderr)).toBe('');
      const folded = /^(?:consistent|\d+ differences): .* against (\d+) events$/m.exec(run.stdout)?.[1];
      expect(folded).toBeDefined();
      expect(run.stdout).not.toContain(behind);
      const again = await cli(['check:consistency']);
      expect(again.stdout).toContain(`against ${folded} events\n`); // it folded every event, the new reservation's too
    }, 120_000);

    it('gives up after --wait seconds, naming it, and exits 1 without a verdict', async () => {
      const held = await holdReaders();
      try {
        await book(stay(5), 'cli-behind-open-transaction-2');
        await expectHidden(held);
        const run = await cli(['check:consistency', '--wait', '1']);

        const GAVE_UP = /^gave up after 1 s: (the transaction of pid \d+|a prepared transaction) in database \S+, open [\d.]+ s, still holds back the log's readers/m;
        if (!GAVE_UP.test(run.stderr)) throw new Error(`no give-up said: ${JSON.stringify({ fence: await held.fence(), ...run })}`);
        expect({ ...run, verdict: /^(consistent|\d+ differences):/m.test(run.stdout) }).toMatchObject({
          code: 1,
          stderr: expect.stringMatching(GAVE_UP),
          verdict: false,
        });
      } finally {
        await held.end();
      }
    }, 120_000);

    it('refuses a --wait that is not whole seconds', async () => {
      const run = await cli(['check:consistency', '--wait', '1.5']);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr).toMatch(/^--wait takes whole seconds, not 1\.5/);
    });
  });
});
