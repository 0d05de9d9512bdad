/** The CLI writes its results to stdout, one line at a time (never console: lint forbids it). */
export const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
