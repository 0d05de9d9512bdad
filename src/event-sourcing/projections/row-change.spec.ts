import { applyChange, combineChanges, type RowChange } from './row-change.js';

type Row = { id: string; a: number; b: string };
const row: Row = { id: 'r', a: 1, b: 'x' };
const put = (a: number, b = 'p'): RowChange<Row> => ({ put: { id: 'r', a, b } });
const set = (values: Partial<Row>): RowChange<Row> => ({ set: values });
const remove: RowChange<Row> = { remove: true };

describe('Row changes', () => {
  describe('applied to a row', () => {
    it('put replaces the row, or makes one', () => {
      expect(applyChange(row, put(5))).toEqual({ id: 'r', a: 5, b: 'p' });
      expect(applyChange(null, put(5))).toEqual({ id: 'r', a: 5, b: 'p' });
    });
    it('set changes only its columns, and makes no row', () => {
      expect(applyChange(row, set({ a: 9 }))).toEqual({ id: 'r', a: 9, b: 'x' });
      expect(applyChange(null, set({ a: 9 }))).toBeNull();
    });
    it('remove leaves no row; no change leaves the row', () => {
      expect(applyChange(row, remove)).toBeNull();
      expect(applyChange(row, null)).toBe(row);
    });
  });

  describe('combined', () => {
    const cases: [string, RowChange<Row>, RowChange<Row>][] = [
      ['put then set', put(1), set({ a: 2 })],
      ['set then set', set({ a: 2 }), set({ b: 'y' })],
      ['set then put', set({ a: 2 }), put(3)],
      ['put then remove', put(1), remove],
      ['remove then put', remove, put(4)],
      ['remove then set', remove, set({ a: 2 })],
      ['set then remove', set({ a: 2 }), remove],
    ];
    it.each(cases)('%s does to any row what the two do one after the other', (_, first, second) => {
      for (const start of [row, null]) {
        expect(applyChange(start, combineChanges(first, second))).toEqual(applyChange(applyChange(start, first), second));
      }
    });
  });
});
