import type { Command } from 'commander';
import { PconnClient } from '../sdk/pconn-client.ts';

/** Global options every remote command takes (flags win over environment variables). */
export interface ConnectionOptions {
  url?: string;
  clientId?: string;
  clientSecret?: string;
  json?: boolean;
}

/** Declares --url, --client-id, --client-secret and --json on a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'pconn server (env PCONN_URL)', process.env.PCONN_URL ?? 'http://127.0.0.1:8080')
    .option('--client-id <id>', 'OAuth client id (env PCONN_CLIENT_ID)', process.env.PCONN_CLIENT_ID)
    .option(
      '--client-secret <secret>',
      'OAuth client secret (env PCONN_CLIENT_SECRET)',
      process.env.PCONN_CLIENT_SECRET,
    )
    .option('--json', 'machine-readable output');
}

/** Builds an SDK client from the options, or explains what is missing. */
export function clientFrom(options: ConnectionOptions): PconnClient {
  if (!options.clientId || !options.clientSecret) {
    throw new Error(
      'no credentials: pass --client-id and --client-secret or set PCONN_CLIENT_ID and PCONN_CLIENT_SECRET',
    );
  }
  return new PconnClient({
    baseUrl: (options.url ?? '').replace(/\/+$/, ''),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  });
}
