import { comparable, keyText } from './normalised.js';

describe('comparing a read model\'s values by their column types', () => {
  describe('when the column is text', () => {
    it.each([
      ['1.10', '1.1'],
      ['10.0', '10'],
      ['2024-01-01T00:00:00Z', '2024-01-01 00:00:00+00'],
      ['A', 'a'],
    ])('tells %j from %j', (one, other) => expect(comparable(one, 'text')).not.toBe(comparable(other, 'text')));

    it('tells the text "null" from no value', () =>
      expect(comparable('null', 'text')).not.toBe(comparable(null, 'text')));
  });

  describe('when pg returns another representation of the value the events hold', () => {
    it.each([
      ['numeric', '5.50', 5.5],
      ['numeric', '-0.0', 0],
      ['int8', '1042', 1042],
      ['int4', 3, '3'],
      ['timestamptz', new Date('2027-03-01T09:00:00.000Z'), '2027-03-01T09:00:00.000Z'],
      ['timestamptz', new Date('2027-03-01T09:00:00.000Z'), '2027-03-01T10:00:00+01:00'],
      ['date', '2027-03-10', '2027-03-10'],
      ['jsonb', { b: 1, a: ['x', { d: '1.10', c: null }] }, { a: ['x', { c: null, d: '1.10' }], b: 1 }],
      ['uuid', '6f1c1f6e-0a4b-4c2e-9a65-2d3c0b9f8e11', '6F1C1F6E-0A4B-4C2E-9A65-2D3C0B9F8E11'],
    ])('a %s column finds %j and %j equal', (type, stored, folded) =>
      expect(comparable(stored, type)).toBe(comparable(folded, type)));
  });

  describe('when the values differ', () => {
    it.each([
      ['numeric', '5.51', 5.5],
      ['int8', '1042', 1043],
      ['timestamptz', new Date('2027-03-01T09:00:00.001Z'), '2027-03-01T09:00:00.000Z'],
      ['jsonb', { d: '1.10' }, { d: '1.1' }],
    ])('a %s column tells %j from %j', (type, stored, folded) =>
      expect(comparable(stored, type)).not.toBe(comparable(folded, type)));
  });

  it('keys rows by every key column as its type holds it', () => {
    const types = new Map([['practice_id', 'text'], ['user_id', 'text'], ['seq', 'int8']]);
    const columns = ['practice_id', 'user_id', 'seq'];
    expect(keyText(['p', '1.10', 1], columns, types)).not.toBe(keyText(['p', '1.1', 1], columns, types));
    expect(keyText(['p', '1.10', 1], columns, types)).toBe(keyText(['p', '1.10', '1'], columns, types));
  });
});
