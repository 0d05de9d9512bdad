import { IsString } from 'class-validator';
import { EventRegistry } from '../../src/event-sourcing/store/event-registry.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

class NoteWritten {
  @IsString() text!: string;
}

describe('events table', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const store = new PostgresEventStore(db.pool, new EventRegistry().register({ type: 'note.written', payload: NoteWritten }));
    await store.append({ tenantId: 't', aggregateType: 'note', aggregateId: 'n1' }, [
      { type: 'note.written', data: { text: 'hello' }, metadata: { actor: { type: 'human', id: 'u1' } } },
    ]);
  });
  afterAll(() => db.drop());

  it('rejects UPDATE through a raw connection', async () => {
    await expect(db.pool.query(`UPDATE events SET data = '{"text":"changed"}'`)).rejects.toThrow(/append-only: UPDATE/);
    const { rows } = await db.pool.query(`SELECT data FROM events`);
    expect(rows).toEqual([{ data: { text: 'hello' } }]);
  });

  it('rejects DELETE through a raw connection', async () => {
    await expect(db.pool.query(`DELETE FROM events`)).rejects.toThrow(/append-only: DELETE/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM events`);
    expect(rows[0].n).toBe(1);
  });

  it('rejects TRUNCATE through a raw connection', async () => {
    await expect(db.pool.query(`TRUNCATE events`)).rejects.toThrow(/append-only: TRUNCATE/);
  });
});
