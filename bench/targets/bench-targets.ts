import type { Pool } from 'pg';
import { PostgresEventStore } from '../../src/event-sourcing/store/postgres-event-store.js';
import { benchRegistry, listeningPersonalData } from '../fixtures.js';
import { MINIMAL_TABLE, RAW_TABLE } from './plain-tables.js';
import { PlainSqlTarget } from './plain-sql-target.js';
import { createBaselineTables } from './raw-schema.js';
import { StoreTarget } from './store-target.js';
import type { BenchTarget } from './target.js';

/** The event store, the mirror-table baseline and the minimal-table baseline, in that order. */
export type BenchTargets = readonly [BenchTarget, BenchTarget, BenchTarget];

/**
 * Creates the baselines' tables in the pool's (migrated) database and the three targets on it.
 * The store keeps subjects' keys as the app does (listening for forgettings, so it may keep
 * them): `closeTargets` stops that before the pool ends.
 */
export const benchTargets = async (pool: Pool): Promise<BenchTargets> => {
  await createBaselineTables(pool);
  const registry = benchRegistry();
  const { personalData, stop } = await listeningPersonalData(pool, registry);
  return [
    new StoreTarget(new PostgresEventStore(pool, registry, undefined, { personalData }), stop),
    new PlainSqlTarget(pool, RAW_TABLE),
    new PlainSqlTarget(pool, MINIMAL_TABLE),
  ];
};

export const closeTargets = async (targets: BenchTargets | undefined): Promise<void> => {
  for (const target of targets ?? []) await target.close?.();
};
