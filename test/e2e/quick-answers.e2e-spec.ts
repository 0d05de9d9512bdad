import { loadedModules } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * What needs no app is answered without loading it (~0.2 s where loading the app takes ~2):
 * the CLI's usage, a command's help, a usage error, the token command, and a start that its
 * environment refuses. Each runs as operators run it, a process of its own, watched by a module
 * hook that records what it loads.
 */

const CLI = 'dist/src/cli/cli.js';
/** Modules only the app needs: its root module, the core's public API, Nest's runtime. */
const APP = [/\/dist\/src\/app\.module\.js$/, /\/dist\/src\/event-sourcing\/index\.js$/, /\/node_modules\/@nestjs\/core\//];
const appModulesIn = (modules: readonly string[]) => modules.filter((url) => APP.some((pattern) => pattern.test(url)));

describe('answers that need no app', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(2);
  });
  afterAll(() => db.drop());

  it('a command that works on the database loads the app (the hook sees it)', async () => {
    const run = await loadedModules(CLI, ['sagas:list', '--status', 'done'], { DATABASE_URL: db.url });
    expect(run).toMatchObject({ code: 0, stdout: 'no saga instances\n' });
    expect(APP.filter((pattern) => !run.modules.some((url) => pattern.test(url)))).toEqual([]);
  });

  it.each([
    ['the usage', ['--help'], 0, /^usage: npm run cli -- <command>/],
    ["a command's help", ['streams:show', '--help'], 0, /^usage: npm run cli -- streams:show <aggregateType>/],
    ['an unknown option', ['sagas:list', '--colour'], 1, /Unknown option '--colour'/],
    ['a value its check refuses', ['projections:replay', 'occupancy', '--from', '1e3'], 1, /--from takes a position/],
    ['a missing positional', ['inbox:retry'], 1, /^usage: npm run cli -- <command>/],
  ])('the CLI answers %s without loading the app', async (_, args, code, said) => {
    const run = await loadedModules(CLI, args);
    expect(run.code).toBe(code);
    expect(code === 0 ? run.stdout : run.stderr).toMatch(said);
    expect(appModulesIn(run.modules)).toEqual([]);
  });

  it('the CLI signs a token without loading the app', async () => {
    const run = await loadedModules(CLI, ['token', '--user', 'tina'], { JWT_SECRET: 'x'.repeat(32) });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(appModulesIn(run.modules)).toEqual([]);
  });

  it('the app refuses its environment before loading itself', async () => {
    const run = await loadedModules('dist/src/main.js', [], { PORT: 'abc' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PORT="abc"');
    expect(appModulesIn(run.modules)).toEqual([]);
  });
});
