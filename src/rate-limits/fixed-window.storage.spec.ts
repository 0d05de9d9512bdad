import { jest } from '@jest/globals';
import { FixedWindowStorage } from './fixed-window.storage.js';

const SECOND = 1_000;

describe('FixedWindowStorage', () => {
  let storage: FixedWindowStorage;
  const hit = (key = 'user:ada') => storage.increment(key, SECOND, 2);

  beforeEach(() => {
    jest.useFakeTimers({ now: 10 * SECOND + 250 });
    storage = new FixedWindowStorage();
  });
  afterEach(() => jest.useRealTimers());

  describe('within one window', () => {
    it('allows the limit, then refuses until the window ends', async () => {
      const [first, second, third] = [await hit(), await hit(), await hit()];
      expect([first.isBlocked, second.isBlocked, third.isBlocked]).toEqual([false, false, true]);
      expect(third).toMatchObject({ totalHits: 3, timeToBlockExpire: 1 });
    });

    it('counts each key apart', async () => {
      await hit('user:ada');
      await hit('user:ada');
      expect((await hit('user:bob')).isBlocked).toBe(false);
    });
  });

  describe('in the next window', () => {
    it('starts counting afresh', async () => {
      for (let i = 0; i < 3; i++) await hit();
      jest.setSystemTime(11 * SECOND);
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    });
  });
});
