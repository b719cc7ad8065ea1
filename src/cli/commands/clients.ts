import type { Command } from 'commander';
import type { OAuthClient } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { print, run } from '../output.ts';

/** `pconn clients create|list|revoke`: OAuth clients of your tenant (admin scope). */
export function registerClientCommands(program: Command): void {
  const clients = program
    .command('clients')
    .description('manage OAuth clients of your tenant (needs the admin scope)');
  withConnection(clients.command('create').description('create a client; its secret is printed once'))
    .requiredOption('--name <name>', 'a name for the client')
    .requiredOption('--scopes <scopes>', 'space- or comma-separated scopes, e.g. "calls:write calls:read"')
    .action((options: ConnectionOptions & { name: string; scopes: string }) =>
      run(options, async () => {
        const created = await clientFrom(options).clients.create({
          name: options.name,
          scopes: options.scopes.split(/[\s,]+/).filter(Boolean),
        });
        print(options.json === true, created, () => [
          `client id:     ${created.clientId}`,
          `client secret: ${created.clientSecret}   (shown only now: store it safely)`,
          `scopes:        ${created.scopes.join(' ')}`,
        ]);
        return 0;
      }),
    );
  withConnection(clients.command('list').description('list clients')).action((options: ConnectionOptions) =>
    run(options, async () => {
      const rows: OAuthClient[] = [];
      for await (const c of clientFrom(options).clients.list()) rows.push(c);
      print(options.json === true, rows, () =>
        rows.map((c) => `${c.clientId}  ${c.status.padEnd(8)} ${c.name}  [${c.scopes.join(' ')}]`),
      );
      return 0;
    }),
  );
  withConnection(
    clients
      .command('revoke')
      .description('revoke a client: its tokens stop working within seconds')
      .argument('<clientId>'),
  ).action((clientId: string, options: ConnectionOptions) =>
    run(options, async () => {
      const revoked = await clientFrom(options).clients.revoke(clientId);
      print(options.json === true, revoked, () => [`revoked ${revoked.clientId} (${revoked.name})`]);
      return 0;
    }),
  );
}
