import { dayAfter } from './calendar-day.js';

/** What dayAfter answered when it parsed `${day}T00:00:00Z` and wrote toISOString: it must answer the same. */
const byParsing = (day: string, days: number): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
};

const outcome = (count: (day: string, days: number) => string, day: string, days: number): string => {
  try {
    return count(day, days);
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
};

describe('dayAfter', () => {
  it.each([
    ['2027-03-10', 0, '2027-03-10'],
    ['2027-01-31', 1, '2027-02-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-12-31', 1, '2028-01-01'],
    ['2028-03-01', -1, '2028-02-29'],
    ['0001-01-01', 364, '0001-12-31'],
    ['0099-12-31', 1, '0100-01-01'],
    ['9999-12-30', 1, '9999-12-31'],
  ])('%s + %i days is %s', (day, days, expected) => expect(dayAfter(day, days)).toBe(expected));

  it('answers as parsing the day did, for odd days and counts too', () => {
    const days = [
      ...['2027-02-30', '2027-04-31', '2027-13-01', '2027-00-10', '2027-01-00', '2027-1-01', '0000-01-01', '9999-12-31'],
      ...['+10000-01-01', 'abc', '', '2100-02-29', '2027-01-01T00:00:00Z'],
      ...Array.from({ length: 400 }, (_, i) => byParsing('1970-01-01', i * 97 - 20_000)),
    ];
    const counts = [-366, -1, 0, 1, 7, 365, 1461, 3_000_000, -1.5, 1.5, Number.NaN];
    // Twice: the second answer is the remembered one.
    const differs = (day: string, n: number) =>
      [outcome(dayAfter, day, n), outcome(dayAfter, day, n)].some((answer) => answer !== outcome(byParsing, day, n));
    const differing = days.flatMap((day) => counts.filter((n) => differs(day, n)).map((n) => `${day} ${n}`));

    expect(differing).toEqual([]);
  });
});
