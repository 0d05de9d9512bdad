import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationInterface } from 'typeorm';

/** `<timestamp>-<name>.ts` here in the sources, `.js` once built. */
const MIGRATION_FILE = /^\d{13}-[a-z0-9-]+\.(ts|js)$/;

type MigrationClass = new () => MigrationInterface;

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Every migration in this folder, oldest first (the file names start with the same-length
 * timestamp): a new one is picked up by adding its file, so none can be written and then
 * forgotten in a list. Each file exports its one migration class.
 */
export const migrations: MigrationClass[] = await Promise.all(
  readdirSync(here)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map(async (file) => {
      const module = (await import(`./${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
      const classes = Object.values(module).filter((value): value is MigrationClass => typeof value === 'function');
      if (classes.length !== 1) throw new Error(`migrations/${file} must export exactly one migration class`);
      return classes[0];
    }),
);
