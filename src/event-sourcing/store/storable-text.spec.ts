import { isStorableText } from './storable-text.js';

describe('Text PostgreSQL can store', () => {
  it.each(['', 'Ada Lovelace', 'Zoë 😀 名前', '\ud83d\ude00', 'tab\tand\nnewline', '\uffff'])('includes %j', (text) => {
    expect(isStorableText(text)).toBe(true);
  });

  it.each(['\u0000', 'a\u0000b', '\ud800', 'a\udbffb', '\udc00', 'x\udfff', '\ude00\ud83d', '😀\ud83d'])('excludes %j', (text) => {
    expect(isStorableText(text)).toBe(false);
  });
});
