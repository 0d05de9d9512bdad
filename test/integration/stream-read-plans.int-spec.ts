import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { SNAPSHOT_AND_NEWER } from '../../src/event-sourcing/aggregates/snapshot-store.js';
import { appendStatement, sharedAppendStatement } from '../../src/event-sourcing/store/append-statement.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The command path's statements are prepared once per connection, and PostgreSQL soon plans
 * them generically, from whatever statistics it has then. On a young table it has none; the
 * plan must still take the stream's key, or every command reads all of its tenant's events
 * (it once took a tenant-led index and did: ~3 ms per load at 16,000 events).
 */
const scalarOf = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
/** A parameter as PostgreSQL's text input takes it: arrays as `{"…","…"}`. */
const literalOf = (value: unknown): string =>
  Array.isArray(value) ? `{${value.map((item) => `"${scalarOf(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}` : scalarOf(value);

type PlanNode = Record<string, unknown>;

describe('Plans of the stream reads on a young events table', () => {
  let db: TestDatabase;
  let client: PoolClient;
  const tenantId = randomUUID();

  /** The nodes of the generic plan of `text` that read or write events. */
  const eventNodesOf = async (name: string, text: string, values: readonly unknown[]): Promise<PlanNode[]> => {
    await client.query(`PREPARE ${name} AS ${text}`);
    const literals = values.map((value) => client.escapeLiteral(literalOf(value))).join(', ');
    const [{ 'QUERY PLAN': plan }] = (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${literals})`)).rows;
    const nodes: PlanNode[] = [];
    const visit = (node: PlanNode) => {
      if (node['Relation Name'] === 'events') nodes.push(node);
      for (const child of (node.Plans as PlanNode[] | undefined) ?? []) visit(child);
    };
    visit(plan[0].Plan);
    return nodes;
  };

  /** The indexes the generic plan of `text` scans on events. */
  const eventIndexesOf = async (name: string, text: string, values: readonly unknown[]): Promise<string[]> =>
    (await eventNodesOf(name, text, values)).map((node) => String(node['Index Name'] ?? node['Node Type']));

  /** The conditions the generic plan of `text` looks the stream's version up by. */
  const versionLookupsOf = async (name: string, text: string, values: readonly unknown[]): Promise<string[]> =>
    (await eventNodesOf(name, text, values))
      .filter((node) => node['Index Name'] === 'events_stream_version_key')
      .map((node) => String(node['Index Cond']));

  beforeAll(async () => {
    db = await createTestDatabase(1);
    // A few dozen events of one tenant, never analyzed: the state of a new deployment.
    await db.pool.query(
      `INSERT INTO events (event_id, tenant_id, aggregate_type, aggregate_id, version, type, schema_version, data, metadata, occurred_at)
       SELECT gen_random_uuid(), $1, 'room', 'r' || (i % 6), i / 6 + 1, 'room.touched', 1, '{}', '{}', now()
       FROM generate_series(0, 47) i`,
      [tenantId],
    );
    client = await db.pool.connect();
    await client.query('SET plan_cache_mode = force_generic_plan');
  });
  afterAll(async () => {
    client.release();
    await db.drop();
  });

  it('loads snapshot and newer events through the stream key', async () => {
    const indexes = await eventIndexesOf('load', SNAPSHOT_AND_NEWER.text, [tenantId, 'room', 'r1', 1]);
    expect(indexes).toEqual(['events_stream_version_key']);
  });

  it('reads the version an append builds on through the stream key', async () => {
    const event = { eventId: randomUUID(), type: 'room.touched', schemaVersion: 1, data: {}, storedData: {}, metadata: { actor: { type: 'system', id: null } }, occurredAt: new Date() };
    const { text, values } = appendStatement({ tenantId, aggregateType: 'room', aggregateId: 'r1' }, 8, [event as never], true);
    const indexes = await eventIndexesOf('append', text, values);
    expect(indexes.filter((index) => index !== 'events_event_id_key' && index !== 'ModifyTable')).toEqual(['events_stream_version_key']);
  });

  it('reads the version each append of a shared statement builds on through the stream key', async () => {
    const event = () => ({ eventId: randomUUID(), type: 'room.touched', schemaVersion: 1, data: {}, storedData: {}, metadata: { actor: { type: 'system', id: null } }, occurredAt: new Date() });
    const appends = ['r1', 'r2', 'r3'].map((aggregateId) => ({ stream: { tenantId, aggregateType: 'room', aggregateId }, expectedVersion: 8, events: [event() as never] }));
    const { text, values } = sharedAppendStatement(appends);
    const indexes = await eventIndexesOf('append_shared', text, values);
    expect(indexes.filter((index) => index !== 'ModifyTable')).toEqual(['events_stream_version_key']);
  });

  // The version read stops at the expected version: it reads a stream's last entry or two, not
  // every entry of the stream on its last index page (measured: 60-100 µs of a single append to
  // a 1,000-event stream, against 18 µs bounded).
  it('reads only the versions from the expected one up, alone or shared', async () => {
    const event = () => ({ eventId: randomUUID(), type: 'room.touched', schemaVersion: 1, data: {}, storedData: {}, metadata: { actor: { type: 'system', id: null } }, occurredAt: new Date() });
    const stream = { tenantId, aggregateType: 'room', aggregateId: 'r1' };
    const one = appendStatement(stream, 8, [event() as never], false);
    const many = appendStatement(stream, 8, [event() as never, event() as never], false);
    const shared = sharedAppendStatement([{ stream, expectedVersion: 8, events: [event() as never] }]);
    for (const [name, { text, values }] of Object.entries({ bounded_one: one, bounded_many: many, bounded_shared: shared })) {
      const lookups = await versionLookupsOf(name, text, values);
      expect(lookups).toHaveLength(1);
      expect(lookups[0]).toMatch(/\(version >= /);
    }
  });
});
