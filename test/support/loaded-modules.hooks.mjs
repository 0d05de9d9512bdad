// Module hooks for a child process (see loadedModules in processes.ts): records the URL of every
// ES module the process loads, one per line, in the file LOADED_MODULES_FILE names.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.LOADED_MODULES_FILE, `${url}\n`);
  return nextLoad(url, context);
}
