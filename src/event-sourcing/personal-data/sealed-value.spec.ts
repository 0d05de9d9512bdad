import { randomUUID } from 'node:crypto';
import { KeyWrapping, keyOwner } from './key-wrapping.js';
import { isSealed, keyIdOf, openValue, sealValue } from './sealed-value.js';

describe('a sealed personal value', () => {
  const keyId = randomUUID();
  const key = KeyWrapping.newDataKey();

  it.each([['Ada Lovelace'], [36], [{ street: '12 Rue Royale' }], ['']])('opens to what was sealed (%j), type kept', (value) => {
    const sealed = sealValue(keyId, key, value);
    expect(isSealed(sealed)).toBe(true);
    expect(keyIdOf(sealed)).toBe(keyId);
    expect(sealed).not.toContain(JSON.stringify(value).slice(1, -1) || '\u0000');
    expect(openValue(sealed, key)).toEqual(value);
  });

  it('is sealed anew each time: the same value never seals to the same text', () => {
    expect(sealValue(keyId, key, 'Ada')).not.toBe(sealValue(keyId, key, 'Ada'));
  });

  it('never uses an IV twice, across the pools its IVs are cut from, and each opens', () => {
    const ivOf = (sealed: string) => Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64').subarray(0, 12).toString('hex');
    const sealed = Array.from({ length: 2_000 }, (_, i) => sealValue(keyId, key, i));
    expect(new Set(sealed.map(ivOf)).size).toBe(sealed.length);
    expect(sealed.map((value) => openValue(value, key))).toEqual(sealed.map((_, i) => i));
  });

  it('does not open with another key, altered, or moved under another key id', () => {
    const sealed = sealValue(keyId, key, 'Ada');
    expect(() => openValue(sealed, KeyWrapping.newDataKey())).toThrow();
    const bytes = Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64');
    bytes[14] ^= 1;
    expect(() => openValue(`${sealed.slice(0, sealed.lastIndexOf(':') + 1)}${bytes.toString('base64')}`, key)).toThrow();
    expect(() => openValue(sealed.replace(keyId, randomUUID()), key)).toThrow();
  });

  it.each([['Ada'], ['pd:1:'], [`pd:1:${keyId}`], [42], [null]])('tells %j from a sealed value', (value) => {
    expect(isSealed(value)).toBe(false);
  });
});

describe('a wrapped data key', () => {
  const wrapping = new KeyWrapping(Buffer.alloc(32, 5));
  const dataKey = KeyWrapping.newDataKey();
  const owner = keyOwner('practice-1', 'guest-1', randomUUID());

  it('unwraps for its owner only, and only with its master key', () => {
    const wrapped = wrapping.wrap(dataKey, owner);
    expect(wrapping.unwrap(wrapped, owner)).toEqual(dataKey);
    expect(() => wrapping.unwrap(wrapped, keyOwner('practice-1', 'guest-2', randomUUID()))).toThrow();
    expect(() => new KeyWrapping(Buffer.alloc(32, 6)).unwrap(wrapped, owner)).toThrow();
  });

  it('needs a 32-byte master key', () => {
    expect(() => new KeyWrapping(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
