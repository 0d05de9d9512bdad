/**
 * Control characters (C0, DEL, C1) and the bidirectional overrides, which stored values may hold:
 * a caller chooses stream ids and texts, and raw they would forge lines of the output or drive
 * the operator's terminal (ANSI escapes), or reorder what it shows.
 */
const isUnprintable = (code: number): boolean =>
  code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);

/** `line` with every unprintable character written as its `\uXXXX` escape. */
export const printable = (line: string): string => {
  let out = '';
  for (const character of line) {
    const code = character.codePointAt(0)!;
    out += isUnprintable(code) ? `\\u${code.toString(16).padStart(4, '0')}` : character;
  }
  return out;
};

/** The CLI writes its results to stdout, one line at a time (never console: lint forbids it), each made printable. */
export const write = (line: string): void => {
  process.stdout.write(`${printable(line)}\n`);
};

/** A line about the run rather than its result (a wait, a delay), on stderr: a piped result stays clean. */
export const note = (line: string): void => {
  process.stderr.write(`${printable(line)}\n`);
};

/** The CLI's own text (usage, help), which holds line breaks of its own and no stored value. */
export const writeText = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
