import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { BenchApp } from './app.js';

/**
 * One build's app, in a process of its own, for `compare-builds.ts`: forked with that build's
 * `dist` directory as its argument, it migrates the database it is sent with the build's own
 * migrations, starts the build's own `bench/http/app.js`, and answers the parent's questions
 * until told to close. A process per phase, so builds never share a heap, a JIT or a pool.
 */

/** The parent's messages; each is answered by one `BuildAppAnswer` of the same kind. */
export type BuildAppQuestion =
  | { readonly kind: 'start'; readonly databaseUrl: string }
  | { readonly kind: 'cpu' }
  | { readonly kind: 'quiesce' }
  | { readonly kind: 'close' };

export type BuildAppAnswer =
  | { readonly kind: 'start'; readonly baseUrl: string; readonly token: string; readonly practiceId: string }
  /** `process.cpuUsage()` of this process, user + system, in µs: the app's CPU, all its threads. */
  | { readonly kind: 'cpu'; readonly us: number }
  | { readonly kind: 'quiesce' }
  | { readonly kind: 'close' };

const dist = resolve(process.argv[2] ?? '');
const fromBuild = <T>(path: string): Promise<T> => import(pathToFileURL(resolve(dist, path)).href) as Promise<T>;

let app: BenchApp | undefined;

const answer = async (question: BuildAppQuestion): Promise<BuildAppAnswer> => {
  switch (question.kind) {
    case 'start': {
      const { runMigrations } = await fromBuild<{ runMigrations(url: string): Promise<string[]> }>(
        'src/database/run-migrations.js',
      );
      const { startApp } = await fromBuild<{ startApp(url: string): Promise<BenchApp> }>('bench/http/app.js');
      await runMigrations(question.databaseUrl);
      app = await startApp(question.databaseUrl);
      return { kind: 'start', baseUrl: app.baseUrl, token: app.token, practiceId: app.practiceId };
    }
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return { kind: 'cpu', us: user + system };
    }
    case 'quiesce':
      await app?.quiesce();
      return { kind: 'quiesce' };
    case 'close':
      await app?.close();
      return { kind: 'close' };
  }
};

process.on('message', (question: BuildAppQuestion) => {
  answer(question).then(
    (reply) => {
      process.send?.(reply, () => {
        if (reply.kind === 'close') process.disconnect();
      });
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
});
