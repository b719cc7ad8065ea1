import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { print, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';

interface SetPasswordOptions extends ConnectionOptions {
  passwordStdin?: boolean;
  generate?: boolean;
}

/**
 * The new password: the first line of stdin (`--password-stdin`, so it never sits in the shell
 * history or the process list) or a generated one (`--generate`, printed once).
 */
function newPassword(options: SetPasswordOptions): { password: string; generated: boolean } {
  if (options.passwordStdin === true && options.generate === true)
    throw new UsageError('use either --password-stdin or --generate, not both');
  if (options.generate === true) return { password: randomBytes(15).toString('base64url'), generated: true };
  if (options.passwordStdin !== true)
    throw new UsageError(
      'give the password on stdin with --password-stdin, or let pconn make one with --generate',
    );
  const password = (readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '').trimEnd();
  if (password.length === 0) throw new UsageError('stdin held no password');
  return { password, generated: false };
}

/** `pconn users set-password`: console passwords of your tenant's users (admin scope). */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('users of your tenant: console passwords');
  withConnection(
    users
      .command('set-password')
      .description("set a user's console password (needs the admin scope); their console sessions end")
      .argument('<userId>')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--generate', 'generate a password and print it once'),
  ).action((userId: string, options: SetPasswordOptions) =>
    run(options, async () => {
      const { password, generated } = newPassword(options);
      await clientFrom(options).users.setPassword(userId, password);
      const shown = generated ? { userId, password } : { userId };
      print(options.json === true, shown, () =>
        generated
          ? [`password of ${userId}: ${password}   (shown only now)`]
          : [`password of ${userId} set; their console sessions ended`],
      );
      return 0;
    }),
  );
}
