import { decodeStreamCursor, encodeStreamCursor } from './stream-directory.js';

describe('stream cursors', () => {
  it('name the stream they were made from, whatever its key holds', () => {
    const stream = { tenantId: 'p-1', aggregateType: 'saga.reservation-deposit', aggregateId: 'a/b?c=%"ü' };

    expect(decodeStreamCursor(encodeStreamCursor(stream))).toEqual(stream);
  });

  it.each([
    ['not base64url JSON', 'not-a-cursor'],
    ['JSON of another shape', Buffer.from('{"tenantId":"p-1"}').toString('base64url')],
    ['a key of numbers', Buffer.from('[1,2,3]').toString('base64url')],
    ['a key of two parts', Buffer.from('["p-1","reservation"]').toString('base64url')],
    ['an empty part', Buffer.from('["p-1","","r-1"]').toString('base64url')],
    ['a NUL character', Buffer.from('["p-1","reservation","r\\u0000"]').toString('base64url')],
    ['an over-long part', Buffer.from(JSON.stringify(['p-1', 'reservation', 'x'.repeat(1025)])).toString('base64url')],
  ])('refuse %s', (_label, cursor) => {
    expect(decodeStreamCursor(cursor)).toBeNull();
  });
});
