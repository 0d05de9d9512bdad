import { exactWholeNumber } from './exact-whole-number.js';

describe('A whole number named exactly', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['007', 7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d', (text, value) => {
    expect(exactWholeNumber(text)).toBe(value);
  });

  it.each(['', '-1', '1.5', '1e3', ' 1', '0x10', '9007199254740992', '9999999999999999', '99999999999999999999999'])(
    'refuses %j: not digits, or past what a number holds exactly',
    (text) => {
      expect(exactWholeNumber(text)).toBeNull();
    },
  );

  it('refuses a number below the least one asked for', () => {
    expect([exactWholeNumber('0', 1), exactWholeNumber('1', 1)]).toEqual([null, 1]);
  });
});
