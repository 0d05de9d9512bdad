import fc from 'fast-check';
import { problemInJsonText } from './json-text-scan.js';
import { problemIn } from './unreasonable-input.js';

const scan = (json: string) => problemInJsonText(new TextEncoder().encode(json))?.code ?? null;
const items = (count: number, item = '0') => Array.from({ length: count }, () => item).join(',');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('Scanning JSON text for the depth and field limits', () => {
  it.each([
    ['1,000 fields and items in all', `{"a":[${items(998)}],"b":{}}`],
    ['an object 32 levels deep', `{"a":${nested(31)}}`],
    ['commas, brackets and escaped quotes in strings', `{"a":"${',{['.repeat(2000)}\\",\\\\"}`],
    ['whitespace around empty containers', `{ "a" : [ ] , "b" : { \n\t} }`],
    ['multi-byte characters', `{"név":"${'é😀,'.repeat(500)}"}`],
  ])('passes %s', (_label, json) => {
    expect(scan(json)).toBeNull();
  });

  it.each([
    ['1,001 fields in one object', `{${Array.from({ length: 1001 }, (_, i) => `"f${i}":0`).join(',')}}`],
    ['1,001 items in one array', `[${items(1001)}]`],
    ['1,001 fields and items in all', `{"a":[${items(999)}],"b":{"c":1}}`],
    ['1,001 empty arrays', `[${items(1001, '[]')}]`],
  ])('refuses %s as TOO_MANY_FIELDS', (_label, json) => {
    expect(scan(json)).toBe('TOO_MANY_FIELDS');
  });

  it('refuses an object 33 levels deep as BODY_TOO_DEEP, long before the end of the text', () => {
    expect(scan(`{"a":${nested(32)}}`)).toBe('BODY_TOO_DEEP');
    expect(scan(`{"a":${nested(1_000_000)}}`)).toBe('BODY_TOO_DEEP');
  });

  it('refuses exactly what the check of the parsed value refuses, on any JSON', () => {
    const deep = fc.jsonValue({ maxDepth: 40, stringUnit: fc.constantFrom('a', ',', '[', '{', '"', '\\', 'é', '😀') });
    const item = fc.constantFrom<unknown>(0, 'a,', [], {}, [1], { a: 'b' });
    const wide = fc.array(item, { minLength: 990, maxLength: 1010 });
    fc.assert(
      fc.property(fc.oneof(deep, wide, fc.tuple(wide, deep)), (value) => {
        expect(scan(JSON.stringify(value)) === null).toBe(problemIn(value) === null);
      }),
      { numRuns: 200 },
    );
  });
});
