import { USER_ID_RULE } from '../../auth/user-id.js';
import type { StandaloneCommand } from '../cli-command.js';
import { write } from '../output.js';

export const token: StandaloneCommand = {
  name: 'token',
  standalone: true,
  usage: 'token --user <id> [--actor-type human|ai|system] [--expires 12h]',
  summary: 'a bearer token this app accepts (signed with its JWT_SECRET)',
  help: 'Prints a bearer token for the user, signed with JWT_SECRET (and JWT_ISSUER / JWT_AUDIENCE when set).\n'
    + 'It lives 12 hours (or JWT_MAX_LIFETIME_SECONDS if shorter) unless --expires says less; one that\n'
    + 'would live longer than JWT_MAX_LIFETIME_SECONDS is refused, and so is a user id the app refuses\n'
    + `(${USER_ID_RULE}). Starts no app and opens no database.`,
  options: { user: { type: 'string' }, 'actor-type': { type: 'string', default: 'human' }, expires: { type: 'string' } },
  positionals: 0,
  validate: ({ values }) => (typeof values.user === 'string' && values.user.length > 0 ? undefined : '--user <id> is required'),
  async run(env, { values }) {
    const { signToken } = await import('../../auth/development-token.js');
    const signed = signToken(env, {
      user: String(values.user),
      actorType: String(values['actor-type']),
      expires: values.expires === undefined ? undefined : String(values.expires),
    });
    if ('problem' in signed) {
      process.stderr.write(`${signed.problem}\n`);
      return 1;
    }
    write(signed.token);
    return 0;
  },
};
