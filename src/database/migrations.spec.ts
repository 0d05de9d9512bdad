import { readdirSync } from 'node:fs';
import { migrations } from '../../migrations/index.js';

describe('the migrations', () => {
  const files = readdirSync('migrations').filter((file) => /^\d{13}-.*\.ts$/.test(file));

  it('are every migration file of the folder, found without a list, oldest first', () => {
    const timestamps = files.map((file) => file.slice(0, 13)).sort();
    expect(migrations.map((migration) => migration.name.slice(-13))).toEqual(timestamps);
  });

  it('are each named <Name><timestamp> after their file, as TypeORM records them', () => {
    for (const migration of migrations) expect(new migration().name).toBe(migration.name);
  });
});
