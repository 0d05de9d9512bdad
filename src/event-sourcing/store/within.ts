import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `work`'s outcome if it settles within `ms`, else `late` is thrown (the same object, so the
 * caller can tell a timeout from `work`'s own failure). `work` goes on: a later rejection of it is
 * handled, and ignored; the timer never outlives the race.
 */
export const within = async <T>(work: Promise<T>, ms: number, late: Error): Promise<T> => {
  const timer = new AbortController();
  try {
    return await Promise.race([
      work,
      sleep(ms, undefined, { signal: timer.signal }).then(() => {
        throw late;
      }),
    ]);
  } finally {
    timer.abort();
  }
};
