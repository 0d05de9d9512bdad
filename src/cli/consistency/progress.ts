import cliProgress from 'cli-progress';
import { write } from '../output.js';

/** How far a long check has got; `done` ends the bar or prints the last line. */
export interface Progress {
  advance(by: number): void;
  done(): void;
}

/** Plain lines are printed every this many items, so a log of a piped run stays short. */
const LINE_EVERY = 10_000;

/**
 * A bar with rate and ETA on a terminal; plain lines otherwise, because a bar's redraws are
 * noise in a log file or a pipe.
 */
export const progressOf = (total: number, unit: string): Progress => {
  const started = Date.now();
  let value = 0;
  const rate = () => Math.round(value / Math.max((Date.now() - started) / 1000, 0.001));
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      advance: (by) => bar.update((value += by), { rate: rate() }),
      done: () => bar.stop(),
    };
  }
  let printed = 0;
  return {
    advance: (by) => {
      value += by;
      if (value - printed >= LINE_EVERY) {
        printed = value;
        write(`${value}/${total} ${unit} (${rate()} ${unit}/s)`);
      }
    },
    done: () => write(`${value}/${total} ${unit} (${rate()} ${unit}/s)`),
  };
};
