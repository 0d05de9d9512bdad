import 'reflect-metadata';
import { jest } from '@jest/globals';
import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { validateEnvironment } from './config/environment.js';
import { EventRegistry, type PayloadClass } from './event-sourcing/index.js';
import { checkQuickCheckAgreement } from './event-sourcing/testing/index.js';

type ModuleEntry = Type | DynamicModule | ForwardReference;

const importsOf = (entry: ModuleEntry): ModuleEntry[] => {
  if ('forwardRef' in entry) return [entry.forwardRef() as ModuleEntry];
  const type = 'module' in entry ? entry.module : entry;
  const dynamic = 'module' in entry ? (entry.imports ?? []) : [];
  const decorated = (Reflect.getMetadata('imports', type) as ModuleEntry[] | undefined) ?? [];
  return [...decorated, ...(dynamic as ModuleEntry[])];
};

const providersOf = (entry: ModuleEntry): Provider[] => {
  if ('forwardRef' in entry) return [];
  const type = 'module' in entry ? entry.module : entry;
  const dynamic = 'module' in entry ? (entry.providers ?? []) : [];
  return [...((Reflect.getMetadata('providers', type) as Provider[] | undefined) ?? []), ...dynamic];
};

/**
 * Every event type definition the app registers, the way the app registers them: the app module's tree as
 * `AppModule.forRoot` builds it (with a broker, so every optional module is in), each context's
 * `EventSourcingModule.forFeature` registration run against a registry, and the core's own types.
 */
const registeredPayloads = (): Map<string, PayloadClass> => {
  const register = jest.spyOn(EventRegistry.prototype, 'register');
  try {
    const root = AppModule.forRoot(validateEnvironment({ AMQP_URL: 'amqp://guest:guest@localhost:5672' }));
    const registry = new EventRegistry();
    const seen = new Set<ModuleEntry>();
    const visit = (entry: ModuleEntry): void => {
      if (seen.has(entry)) return;
      seen.add(entry);
      for (const provider of providersOf(entry)) {
        if (typeof provider !== 'object' || !('useFactory' in provider)) continue;
        if (!(provider.inject ?? []).includes(EventRegistry)) continue;
        if (typeof provider.provide !== 'symbol' || provider.provide.description !== 'event-sourcing feature') continue;
        const stub = { register: () => undefined };
        provider.useFactory(...(provider.inject ?? []).map((token) => (token === EventRegistry ? registry : stub)));
      }
      importsOf(entry).forEach(visit);
    };
    visit(root);
    const definitions = register.mock.calls.flat() as { type: string; payload: PayloadClass }[];
    return new Map(definitions.map((definition) => [definition.type, definition.payload]));
  } finally {
    register.mockRestore();
  }
};

describe('every payload class the app registers', () => {
  const payloads = registeredPayloads();

  it('includes the core and every context', () => {
    const types = [...payloads.keys()];
    for (const prefix of ['saga.', 'reservation.', 'payment.', 'practice.']) {
      expect(types.some((type) => type.startsWith(prefix))).toBe(true);
    }
  });

  it.each([...payloads])('%s: the quick check never accepts what class-validator refuses', (_type, payload) => {
    const { quickAccepted } = checkQuickCheckAgreement(payload, 150);
    expect(quickAccepted).toBeGreaterThan(0);
  });
});
