import { startupWarnings } from './app.factory.js';
import { DEVELOPMENT_KEY_ENCRYPTION_KEY, validateEnvironment } from './config/environment.js';

const OWN_SECRET = 'x'.repeat(32);
const OWN_KEY = Buffer.alloc(32, 7).toString('base64');
const OWN_WEBHOOK_SECRET = 'whsec_'.padEnd(40, 'w');

describe('the warnings logged at start', () => {
  it('are none for a deployment with its own secrets and JWT callers', () => {
    expect(startupWarnings(validateEnvironment({ JWT_SECRET: OWN_SECRET, KEY_ENCRYPTION_KEY: OWN_KEY, PAYMENT_WEBHOOK_SECRET: OWN_WEBHOOK_SECRET }))).toEqual([]);
  });

  it('name the public development secrets', () => {
    const warnings = startupWarnings(validateEnvironment({ KEY_ENCRYPTION_KEY: DEVELOPMENT_KEY_ENCRYPTION_KEY }));
    expect(warnings.map((line) => line.split(' ')[0])).toEqual(['JWT_SECRET', 'KEY_ENCRYPTION_KEY', 'PAYMENT_WEBHOOK_SECRET']);
  });

  it('say that trusted-header callers are whoever their headers say, whatever else is set', () => {
    const env = validateEnvironment({ JWT_SECRET: OWN_SECRET, KEY_ENCRYPTION_KEY: OWN_KEY, PAYMENT_WEBHOOK_SECRET: OWN_WEBHOOK_SECRET, AUTH_MODE: 'trusted-header' });
    expect(startupWarnings(env)).toEqual([expect.stringMatching(/^AUTH_MODE=trusted-header: .*only the authenticating gateway may reach it/i)]);
  });
});
