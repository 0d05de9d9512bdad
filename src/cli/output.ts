/**
 * Control characters (C0, DEL, C1) and the bidirectional overrides, which stored values may hold:
 * a caller chooses stream ids and texts, and raw they would forge lines of the output or drive
 * the operator's terminal (ANSI escapes), or reorder what it shows.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `line` with every unprintable character written as its `\uXXXX` escape. */
export const printable = (line: string): string =>
  line.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The CLI writes its results to stdout, one line at a time (never console: lint forbids it), each made printable. */
export const write = (line: string): void => {
  process.stdout.write(`${printable(line)}\n`);
};
