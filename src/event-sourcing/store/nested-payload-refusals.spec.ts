import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { OrderPlaced } from '../../../bench/payloads/order-placed.js';
import { EventRegistry } from './event-registry.js';
import { InvalidEventPayload } from './event-store.errors.js';
import { flattenViolations } from './field-violations.js';

// The quick check now reads nested payloads; a refusal and its messages must still be class-validator's alone.

const registry = new EventRegistry().register({ type: 'order.placed', payload: OrderPlaced });

/** The violations the registry names, or none when it accepts. */
const violations = (data: unknown) => {
  try {
    registry.validate('order.placed', data);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidEventPayload)) throw error;
    return error.violations;
  }
};

const line = { sku: 'SKU-1', quantity: 2, unitPriceCents: 1999 };
const order = (overrides: Record<string, unknown>) => ({
  orderId: '3f1c2b1e-8a4d-4c3e-9b2a-1d2e3f4a5b6c',
  customerId: 'customer-42',
  lines: [line],
  currency: 'EUR',
  ...overrides,
});

describe('an order payload, whose line items the quick check reads', () => {
  it('is accepted when valid', () => expect(violations(order({}))).toEqual([]));

  it('names a bad line item by its index, and an extra key in another', () => {
    expect(violations(order({ lines: [{ ...line, discount: 5 }, { ...line, sku: '', quantity: 0 }] }))).toEqual([
      { field: 'lines.0.discount', constraints: ['property discount should not exist'] },
      { field: 'lines.1.sku', constraints: ['sku must be longer than or equal to 1 characters'] },
      { field: 'lines.1.quantity', constraints: ['quantity must not be less than 1'] },
    ]);
  });

  it.each([
    order({ lines: Array.from({ length: 21 }, () => line) }),
    order({ lines: [] }),
    order({ lines: line }),
    order({ lines: [null, 'SKU-1', [line]] }),
    order({ lines: [{ ...line, quantity: '2' }], currency: 'GBP', note: 'x' }),
    JSON.parse('{"orderId":"x","lines":[{"__proto__":{"sku":"a"},"quantity":1.5}]}'),
  ])("is refused as %j with class-validator's own violations", (data) => {
    const options = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };
    const expected = flattenViolations(validateSync(plainToInstance(OrderPlaced, data), options));
    expect(expected.length).toBeGreaterThan(0);
    expect(violations(data)).toEqual(expected);
  });
});
