import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** App-thread CPU by where the code comes from, in ms (per request once divided). */
export interface CpuShare {
  readonly source: string;
  readonly ms: number;
}

interface CallFrame {
  readonly url: string;
  readonly functionName: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const MAX_DEPTH = 30;

/** `node_modules/@nestjs/core/…` → `@nestjs/core`; the app's own code; node's; null for V8/native frames. */
const codeOf = ({ url, functionName }: CallFrame): string | null => {
  const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageName) return packageName[1];
  if (url.includes('/dist/src/')) return 'chronicle src';
  if (url.includes('/dist/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node internals';
  if (url === '' && functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
  return url === '' ? null : url;
};

/**
 * A sample's source: its function's package; for native code (a syscall, crypto, JSON), the
 * native function and the first caller outside node's own modules, so `writev` from pg's
 * socket and `init` under jsonwebtoken tell apart. Null for the inspector's own work.
 */
const sourceOf = (node: ProfileNode, parents: ReadonlyMap<number, ProfileNode>): string | null => {
  const own = codeOf(node.callFrame);
  if (own !== null) return own;
  let caller = parents.get(node.id);
  for (let depth = 0; caller && depth < MAX_DEPTH; depth++) {
    if (caller.callFrame.url === 'node:inspector') return null;
    const code = codeOf(caller.callFrame);
    if (code !== null && code !== 'node internals') return `native ${node.callFrame.functionName} ← ${code}`;
    caller = parents.get(caller.id);
  }
  return `native ${node.callFrame.functionName}`;
};

/**
 * Samples this thread's CPU with the inspector while `work` runs, and splits the samples'
 * time by source (self time: a function's own code, not its callees). `(idle)` is time the
 * event loop waited. With `BENCH_CPUPROFILE=<prefix>` the raw profile is also written to
 * `<prefix>-<label>.cpuprofile` (open it in Chrome DevTools or speedscope to see functions).
 */
export const profileCpu = async <T>(label: string, work: () => Promise<T>): Promise<{ result: T; shares: CpuShare[] }> => {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    const keepAt = process.env.BENCH_CPUPROFILE;
    if (keepAt) await writeFile(`${keepAt}-${label}.cpuprofile`, JSON.stringify(profile));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, ProfileNode>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
    const sources = new Map(profile.nodes.map((node) => [node.id, sourceOf(node, parents)]));
    const totals = new Map<string, number>();
    profile.samples.forEach((id, index) => {
      const source = byId.has(id) ? sources.get(id) : 'unknown';
      if (source === null || source === undefined) return;
      totals.set(source, (totals.get(source) ?? 0) + profile.timeDeltas[index] / 1000);
    });
    const shares = [...totals].map(([source, ms]) => ({ source, ms })).sort((a, b) => b.ms - a.ms);
    return { result, shares };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
};
