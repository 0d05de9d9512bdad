/** Progress goes to stderr so stdout carries only the result table. */
export const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};
