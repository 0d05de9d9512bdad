import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OrderPlaced } from '../../../bench/payloads/order-placed.js';
import { classValidatorAccepts } from '../testing/payload-validation-agreement.js';
import type { PayloadClass } from './payload-class.js';
import { compileQuickCheck } from './payload-quick-check.js';

class Booked {
  @IsString() @Length(1, 20) roomId!: string;
  @Matches(/^\d{4}-\d{2}-\d{2}$/) checkInDate!: string;
  @IsInt() @Min(1) @Max(30) nights!: number;
  @IsISO8601() bookedAt!: string;
}

class Member {
  @IsString() @Length(1, 50) name!: string;
  @IsIn(['owner', 'staff']) role!: string;
  @IsOptional() @IsEmail() @MaxLength(40) email?: string;
  @ValidateIf((member: Member) => member.role === 'staff') @IsDefined() shift?: string;
  @Allow() note?: unknown;
}

class WithDefault {
  @IsString() label = 'untitled';
}

class WithUndecoratedField {
  @IsString() label!: string;
  secret = 'set by the constructor';
}

class Trimmed {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @Length(1, 5) word!: string;
}

/** A transform that leaves ASCII as it is: only text beyond it shows that it runs. */
class Decomposed {
  @Transform(({ value }) => (typeof value === 'string' ? value.normalize('NFD') : value)) @Length(1, 5) word!: string;
}

class Guest {
  @IsString() name!: string;
}

class WithNested {
  @ValidateNested() @Type(() => Guest) guest!: Guest;
}

class WithEach {
  @IsString({ each: true }) tags!: string[];
}

class WithUntypedNested {
  @ValidateNested() guest!: Guest;
}

const line = (overrides: Record<string, unknown> = {}) => ({
  sku: 'SKU-1',
  quantity: 2,
  unitPriceCents: 1999,
  ...overrides,
});
const order = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  orderId: '3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c',
  customerId: 'customer-42',
  lines: [line(), line({ sku: 'SKU-2', quantity: 1 })],
  currency: 'EUR',
  ...overrides,
});

class Undecorated {
  label!: string;
}


const cases: readonly (readonly [PayloadClass, readonly Record<string, unknown>[]])[] = [
  [
    Booked,
    [
      { roomId: '101', checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '', checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-1-2', nights: 3, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-01-02', nights: 3.5, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-01-02', nights: 31, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-01-02', nights: '3', bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-01-02', nights: 3, bookedAt: 'yesterday' },
      { roomId: '101', checkInDate: '2030-01-02', nights: 3 },
      { roomId: '101', checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z', price: 9 },
      { roomId: '101', checkInDate: '2030-01-02', nights: null, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: { id: '101' }, checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z' },
      { roomId: '101', checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z', toString: 'x' },
      JSON.parse('{"roomId":"101","checkInDate":"2030-01-02","nights":3,"bookedAt":"2030-01-01","__proto__":{"a":1}}'),
      {},
    ],
  ],
  [
    Member,
    [
      { name: 'Ada', role: 'owner' },
      { name: 'Ada', role: 'owner', email: 'ada@example.com' },
      { name: 'Ada', role: 'owner', email: null },
      { name: 'Ada', role: 'owner', email: 'not an email' },
      { name: 'Ada', role: 'owner', email: `${'a'.repeat(40)}@example.com` },
      { name: 'Ada', role: 'staff' },
      { name: 'Ada', role: 'staff', shift: 'night' },
      { name: 'Ada', role: 'guest' },
      { name: 'Ada', role: 'owner', note: 42 },
      { name: 'Ada', role: 'owner', note: { any: 'thing' } },
    ],
  ],
  [WithDefault, [{}, { label: 'kept' }, { label: 7 }]],
  [WithUndecoratedField, [{ label: 'a' }]],
  [Trimmed, [{ word: 'abc' }, { word: '  abc  ' }, { word: 'abcdefgh' }]],
  // Five letters composed, ten decomposed: class-validator refuses the transformed value.
  [Decomposed, [{ word: 'abc' }, { word: '\u00e9\u00e9\u00e9\u00e9\u00e9' }]],
  [
    WithNested,
    [
      { guest: { name: 'Ada' } },
      { guest: { name: 7 } },
      { guest: { name: 'Ada', age: 3 } },
      { guest: null },
      { guest: 'Ada' },
      { guest: [{ name: 'Ada' }] },
      { guest: [] },
      {},
    ],
  ],
  [WithEach, [{ tags: ['a', 'b'] }, { tags: 'a' }, { tags: ['a', 1] }, { tags: [] }, { tags: [['a']] }]],
  [WithUntypedNested, [{ guest: { name: 'Ada' } }, {}]],
  [
    OrderPlaced,
    [
      order(),
      order({ lines: [] }),
      order({ lines: Array.from({ length: 21 }, () => line()) }),
      order({ lines: [line(), line({ quantity: 0 })] }),
      order({ lines: [line({ sku: '' })] }),
      order({ lines: [{ ...line(), discount: 5 }] }),
      order({ lines: [null] }),
      order({ lines: [[line()]] }),
      order({ lines: line() }),
      order({ currency: 'GBP' }),
      order({ orderId: 'not-a-uuid' }),
    ],
  ],
  [Undecorated, [{ label: 'a' }, {}]],
];

describe('the quick payload check', () => {
  describe.each(cases)('for %p', (payload, payloads) => {
    const quick = compileQuickCheck(payload);

    it.each(payloads)('accepts %j only if class-validator does', (data) => {
      if (quick(data)) expect(classValidatorAccepts(payload, data)).toBe(true);
    });
  });

  describe('when a class has only the constraint kinds it handles', () => {
    it('accepts valid payloads itself, without deferring to class-validator', () => {
      const booked = compileQuickCheck(Booked);
      const valid = { roomId: '101', checkInDate: '2030-01-02', nights: 3, bookedAt: '2030-01-01T10:00:00Z' };
      expect(booked(valid)).toBe(true);
      const member = compileQuickCheck(Member);
      expect(member({ name: 'Ada', role: 'owner' })).toBe(true);
      expect(member({ name: 'Ada', role: 'owner', email: 'ada@example.com' })).toBe(true);
      expect(member({ name: 'Ada', role: 'staff', shift: 'night' })).toBe(true);
      expect(compileQuickCheck(WithDefault)({})).toBe(true);
    });

    it('accepts valid nested payloads, arrays of objects and `each` itself', () => {
      expect(compileQuickCheck(OrderPlaced)(order())).toBe(true);
      expect(compileQuickCheck(WithNested)({ guest: { name: 'Ada' } })).toBe(true);
      expect(compileQuickCheck(WithEach)({ tags: ['a', 'b'] })).toBe(true);
    });

    it('defers every invalid payload', () => {
      const booked = compileQuickCheck(Booked);
      const noNights = { roomId: '101', checkInDate: '2030-01-02', nights: 0, bookedAt: '2030-01-01T10:00:00Z' };
      expect(booked(noNights)).toBe(false);
      expect(compileQuickCheck(Member)({ name: 'Ada', role: 'staff' })).toBe(false);
      expect(compileQuickCheck(OrderPlaced)(order({ lines: [line(), line({ quantity: 0 })] }))).toBe(false);
      expect(compileQuickCheck(WithEach)({ tags: ['a', 1] })).toBe(false);
    });
  });

  describe('when class-transformer changes values, or a class is not one class-validator can accept', () => {
    const deferred = [Trimmed, Decomposed, Undecorated, WithUndecoratedField, WithUntypedNested];
    it.each(deferred)('defers every payload for %p', (payload) => {
      const quick = compileQuickCheck(payload);
      for (const [, payloads] of cases.filter(([candidate]) => candidate === payload)) {
        for (const data of payloads.filter((data) => Object.keys(data).length > 0)) expect(quick(data)).toBe(false);
      }
    });
  });
});
