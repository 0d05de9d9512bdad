import { exactWholeNumber } from '../../event-sourcing/domain/index.js';
import type { AppCommand } from '../cli-command.js';

/** How long the check waits, by default, for a transaction that holds back the log's readers. */
const FENCE_PATIENCE_SECONDS = 60;

export const checkConsistency: AppCommand = {
  name: 'check:consistency',
  usage: 'check:consistency [--wait SECONDS]',
  summary: 'refold the events; compare with the inline read models\' rows',
  help: 'For every aggregate\'s row-change inline read model, folds all its events again in memory and compares\n'
    + 'the result with the table: a missing row, an extra row, a column that differs, one line each.\n'
    + 'Exits 1 when any differs, 0 when all match. Run it on a quiet database: events appended during the\n'
    + 'check can show as differences. A progress bar on a terminal, progress lines otherwise.\n'
    + `It reads the log up to its last event, and waits (default ${FENCE_PATIENCE_SECONDS} s, --wait) while a transaction\n`
    + 'still open on the server holds the log\'s readers back; stderr names it. Exits 1 if it is not over by then.',
  options: { wait: { type: 'string', default: String(FENCE_PATIENCE_SECONDS) } },
  positionals: 0,
  validate: ({ values }) =>
    exactWholeNumber(String(values.wait)) !== null ? undefined : `--wait takes whole seconds, not ${values.wait}`,
  async run(app, { values }) {
    const { checkConsistencyOf } = await import('../consistency/consistency-check.js');
    return checkConsistencyOf(app, Number(values.wait) * 1000);
  },
};
