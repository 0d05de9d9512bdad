import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The chromium the browser tests drive: CHROMIUM_PATH, or Debian's `chromium` on the PATH
 * (Playwright's own browser download is not reachable where the tests run). Missing, the test
 * fails saying so: it must not pass by skipping. `.ci/run` installs it with apt-get.
 */
export const chromiumExecutable = (): string => {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not this name
    }
  }
  throw new Error(
    'chromium is not installed, and the event browser test needs it: install it with ' +
      '`apt-get update && apt-get install -y chromium` (.ci/run does) or set CHROMIUM_PATH',
  );
};
