import { isUserId } from './user-id.js';

describe('A user id the app takes', () => {
  it.each(['a', 'alice@example.com', 'Zoë 😀', 'u'.repeat(255), '...', '.a'])('includes %j', (id) => {
    expect(isUserId(id)).toBe(true);
  });

  it.each(['', 'u'.repeat(256), 'a\u0000b', 'x\ud800', '.', '..', 42, null, undefined])(
    'excludes %j: empty, over 255 characters, text PostgreSQL cannot store, a path segment no URL can address, or no text',
    (id) => {
      expect(isUserId(id)).toBe(false);
    },
  );
});
