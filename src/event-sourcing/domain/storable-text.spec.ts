import { isStorableText, storableText } from './storable-text.js';

const STORABLE = ['', 'Ada Lovelace', 'Zoë 😀 名前', '\ud83d\ude00', 'tab\tand\nnewline', '\uffff'];
const UNSTORABLE = ['\u0000', 'a\u0000b', '\ud800', 'a\udbffb', '\udc00', 'x\udfff', '\ude00\ud83d', '😀\ud83d'];

describe('Text PostgreSQL can store', () => {
  it.each(STORABLE)('includes %j', (text) => {
    expect(isStorableText(text)).toBe(true);
  });

  it.each(UNSTORABLE)('excludes %j: a NUL, or half of a surrogate pair', (text) => {
    expect(isStorableText(text)).toBe(false);
  });
});

describe('A storable copy of text that is only shown', () => {
  it.each(STORABLE)('keeps %j as it is', (text) => {
    expect(storableText(text)).toBe(text);
  });

  it('replaces each NUL and each half of a surrogate pair with U+FFFD, and keeps whole pairs', () => {
    expect(storableText('a\u0000b\u0000')).toBe('a\ufffdb\ufffd');
    expect(storableText('\ude00\ud83d😀x\udbff')).toBe('\ufffd\ufffd😀x\ufffd');
    expect(UNSTORABLE.map(storableText).every(isStorableText)).toBe(true);
  });
});
