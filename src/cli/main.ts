import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit-verify.ts';
import { registerClientCommands } from './commands/clients.ts';

/** Builds the `pconn` command line (remote commands go through the SDK). */
export function buildProgram(): Command {
  const program = new Command('pconn')
    .description('pconn: outbound personal-connection calls')
    .showHelpAfterError();
  program.command('serve').description('start the pconn server (same as npm start)');
  registerClientCommands(program);
  registerAuditCommands(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
