import { Command, CommanderError } from 'commander';
import { registerAmdCommand } from './commands/amd.ts';
import { registerAuditCommands } from './commands/audit-verify.ts';
import { registerCallCommand } from './commands/call.ts';
import { registerCallsCommands } from './commands/calls.ts';
import { registerCampaignCommands } from './commands/campaigns.ts';
import { registerClientCommands } from './commands/clients.ts';
import { registerContactCommands } from './commands/contacts.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerExplainCommand } from './commands/explain.ts';
import { registerLoginCommands } from './commands/login.ts';
import { registerPlanApplyCommands } from './commands/plan-apply.ts';
import { registerSessionCommands } from './commands/session.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerUserCommands } from './commands/users.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { EXIT, exitCodeSink } from './output.ts';

/** Builds the `pconn` command line (remote commands go through the SDK). */
export function buildProgram(): Command {
  const program = new Command('pconn')
    .description('pconn: outbound personal-connection calls')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 refused by the API or a check failed, 2 usage, 3 server unreachable or credentials refused.',
    );
  program.command('serve').description('start the pconn server (same as npm start)');
  registerLoginCommands(program);
  registerCampaignCommands(program);
  registerContactCommands(program);
  registerCallCommand(program);
  registerCallsCommands(program);
  registerSessionCommands(program);
  registerWatchCommand(program);
  registerPlanApplyCommands(program);
  registerExplainCommand(program);
  registerDoctorCommand(program);
  registerClientCommands(program);
  registerUserCommands(program);
  registerAuditCommands(program);
  registerAmdCommand(program);
  registerSimulateCommand(program);
  // Usage mistakes exit 2 (commander's default is 1, which means "refused by the API" here).
  const exitTwo = (command: Command) => {
    command.exitOverride((error: CommanderError) => {
      throw error;
    });
    for (const sub of command.commands) exitTwo(sub);
  };
  exitTwo(program);
  return program;
}

/**
 * Runs `pconn` on `argv` (node, script, args…) and leaves its exit code in exitCodeSink.
 * Apart from main.ts so that tests can run the CLI in their own process (a spawn through tsx
 * costs about a second) without importing a module that parses the test's own argv.
 */
export async function runProgram(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const helpShown =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help';
    exitCodeSink.set(helpShown ? EXIT.ok : EXIT.usage);
  }
}
