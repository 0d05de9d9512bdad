import { compareLogCursors, decodeLogCursor, encodeLogCursor, LOG_START, type LogCursor } from './log-cursor.js';

const cursor = (transactionId: string, position: number): LogCursor => ({ transactionId, position });

describe('LogCursor', () => {
  describe('when encoded', () => {
    it('writes the transaction id and the position separated by a colon', () => {
      expect(encodeLogCursor(cursor('734', 12))).toBe('734:12');
    });

    it('decodes back to the same cursor, keeping a transaction id beyond 2^53 exact', () => {
      const big = cursor('18446744073709551615', 9_007_199_254_740_991);
      expect(decodeLogCursor(encodeLogCursor(big))).toEqual(big);
      expect(decodeLogCursor(encodeLogCursor(LOG_START))).toEqual(LOG_START);
    });
  });

  describe('when the text is not a cursor', () => {
    it.each(['', '12', '12:', ':12', 'a:1', '1:b', '-1:2', '1:-2', '1:2.5', '1:2:3', ' 1:2', '1:2\n', '123456789012345678901:1'])(
      'decodes %j to null',
      (text) => {
        expect(decodeLogCursor(text)).toBeNull();
      },
    );
  });

  describe('when compared', () => {
    it('orders by transaction id first, whatever the positions', () => {
      expect(compareLogCursors(cursor('5', 900), cursor('6', 1))).toBe(-1);
      expect(compareLogCursors(cursor('6', 1), cursor('5', 900))).toBe(1);
    });

    it('compares transaction ids as numbers, not as text', () => {
      expect(compareLogCursors(cursor('9', 1), cursor('10', 1))).toBe(-1);
    });

    it('compares transaction ids written with leading zeros by value', () => {
      expect(compareLogCursors(cursor('010', 1), cursor('9', 1))).toBe(1);
      expect(compareLogCursors(cursor('007', 3), cursor('7', 3))).toBe(0);
      expect(compareLogCursors(cursor('0', 1), cursor('00', 2))).toBe(-1);
    });

    it('tells apart transaction ids that differ only beyond 2^53', () => {
      expect(compareLogCursors(cursor('9007199254740993', 1), cursor('9007199254740992', 1))).toBe(1);
    });

    it('orders by position within one transaction', () => {
      expect(compareLogCursors(cursor('7', 3), cursor('7', 4))).toBeLessThan(0);
      expect(compareLogCursors(cursor('7', 4), cursor('7', 3))).toBeGreaterThan(0);
    });

    it('finds a cursor equal to itself', () => {
      expect(compareLogCursors(cursor('7', 3), cursor('7', 3))).toBe(0);
    });

    it('puts the start of the log before the first event', () => {
      expect(compareLogCursors(LOG_START, cursor('1', 1))).toBe(-1);
    });
  });
});
