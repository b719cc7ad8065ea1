import type { Command } from 'commander';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { EXIT, print, printError } from '../output.ts';

interface ClientView {
  clientId: string;
  name: string;
  scopes: string[];
  status?: string;
  clientSecret?: string;
}

/** `pconn clients create|list|revoke`: OAuth clients of your tenant (admin scope). */
export function registerClientCommands(program: Command): void {
  const clients = program
    .command('clients')
    .description('manage OAuth clients of your tenant (needs the admin scope)');
  withConnection(clients.command('create').description('create a client; its secret is printed once'))
    .requiredOption('--name <name>', 'a name for the client')
    .requiredOption('--scopes <scopes>', 'space- or comma-separated scopes, e.g. "calls:write calls:read"')
    .action(async (options: ConnectionOptions & { name: string; scopes: string }) => {
      process.exitCode = await run(options, async () => {
        const created = await clientFrom(options).request<ClientView>('POST', '/v1/clients', {
          name: options.name,
          scopes: options.scopes.split(/[\s,]+/).filter(Boolean),
        });
        print(options.json === true, created, () => [
          `client id:     ${created.clientId}`,
          `client secret: ${created.clientSecret}   (shown only now: store it safely)`,
          `scopes:        ${created.scopes.join(' ')}`,
        ]);
      });
    });
  withConnection(clients.command('list').description('list clients')).action(
    async (options: ConnectionOptions) => {
      process.exitCode = await run(options, async () => {
        const page = await clientFrom(options).request<{ data: ClientView[] }>('GET', '/v1/clients');
        print(options.json === true, page.data, () =>
          page.data.map((c) => `${c.clientId}  ${c.status?.padEnd(8)} ${c.name}  [${c.scopes.join(' ')}]`),
        );
      });
    },
  );
  withConnection(
    clients
      .command('revoke')
      .description('revoke a client: its tokens stop working within seconds')
      .argument('<clientId>'),
  ).action(async (clientId: string, options: ConnectionOptions) => {
    process.exitCode = await run(options, async () => {
      const revoked = await clientFrom(options).request<ClientView>(
        'POST',
        `/v1/clients/${encodeURIComponent(clientId)}/revoke`,
      );
      print(options.json === true, revoked, () => [`revoked ${revoked.clientId} (${revoked.name})`]);
    });
  });
}

async function run(options: ConnectionOptions, action: () => Promise<void>): Promise<number> {
  try {
    await action();
    return EXIT.ok;
  } catch (error) {
    return printError(error, options.json === true);
  }
}
