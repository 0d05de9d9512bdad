import { printable } from './output.js';

describe('printable (what the CLI writes of stored values)', () => {
  it('escapes newlines, ANSI escapes, C1 controls and bidirectional overrides', () => {
    expect(printable('u1\nFORGED\r\u001b[2K\u001b[31mRED\u0085\u202eevil')).toBe(
      'u1\\u000aFORGED\\u000d\\u001b[2K\\u001b[31mRED\\u0085\\u202eevil',
    );
  });

  it('leaves printable text alone, accents and emoji included', () => {
    expect(printable('v1  reservation.created  actor human:zoë 🙂  {"a":1}')).toBe('v1  reservation.created  actor human:zoë 🙂  {"a":1}');
  });
});
