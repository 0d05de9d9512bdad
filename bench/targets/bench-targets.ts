import { resolve } from 'node:path';
import type { Pool } from 'pg';
import type { EventStore } from '../../src/event-sourcing/store/event-store.js';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { benchRegistry, listeningPersonalData, PLAIN_BENCH_TYPES } from '../fixtures.js';
import { MINIMAL_TABLE, RAW_TABLE } from './plain-tables.js';
import { PlainSqlTarget } from './plain-sql-target.js';
import { createBaselineTables } from './raw-schema.js';
import { StoreTarget } from './store-target.js';
import type { BenchTarget } from './target.js';

/** The event store, the mirror-table baseline and the minimal-table baseline, in that order. */
export type BenchTargets = readonly [BenchTarget, BenchTarget, BenchTarget];

/**
 * `BENCH_STORE_DIST=<another build's dist>`: the store under test is that build's, for its
 * figures and this build's in the same hour, each beside both baselines of its own run. It
 * appends to and reads this build's schema (the `events` of b5146fb and later builds: the same
 * columns and indexes) and registers the flat and order payloads only. Its dist must resolve
 * the same class-validator and class-transformer as this one (a worktree whose `node_modules`
 * links to this one's), or it sees none of the payload classes' decorators.
 */
const otherBuildStore = async (dist: string, pool: Pool): Promise<StoreTarget> => {
  const load = (path: string) => import(resolve(dist, 'src/event-sourcing/store', path));
  const { EventRegistry } = (await load('event-registry.js')) as {
    EventRegistry: new () => { register(...types: typeof PLAIN_BENCH_TYPES): unknown };
  };
  const { PostgresEventStore: Store } = (await load('postgres-event-store.js')) as {
    PostgresEventStore: new (pool: Pool, registry: unknown) => EventStore;
  };
  const { ConcurrencyError } = (await load('event-store.errors.js')) as { ConcurrencyError: new () => Error };
  const registry = new EventRegistry();
  registry.register(...PLAIN_BENCH_TYPES);
  return new StoreTarget(new Store(pool, registry), undefined, (error) => error instanceof ConcurrencyError);
};

/**
 * Creates the baselines' tables in the pool's (migrated) database and the three targets on it.
 * The store keeps subjects' keys as the app does (listening for forgettings, so it may keep
 * them): `closeTargets` stops that before the pool ends.
 */
export const benchTargets = async (pool: Pool): Promise<BenchTargets> => {
  await createBaselineTables(pool);
  const baselines = [new PlainSqlTarget(pool, RAW_TABLE), new PlainSqlTarget(pool, MINIMAL_TABLE)] as const;
  const otherBuild = process.env.BENCH_STORE_DIST;
  if (otherBuild) return [await otherBuildStore(otherBuild, pool), ...baselines];
  const registry = benchRegistry();
  const { personalData, stop } = await listeningPersonalData(pool, registry);
  return [new StoreTarget(new PostgresEventStore(pool, registry, undefined, { personalData }), stop), ...baselines];
};

export const closeTargets = async (targets: BenchTargets | undefined): Promise<void> => {
  for (const target of targets ?? []) await target.close?.();
};
