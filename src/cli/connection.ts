import type { Command } from 'commander';
import { PconnClient } from '../sdk/index.ts';
import { profileName, readProfiles, saveToken } from './profile-store.ts';
import { UsageError } from './usage-error.ts';

/** Global options every remote command takes (flags win over environment, environment over profile). */
export interface ConnectionOptions {
  url?: string;
  clientId?: string;
  clientSecret?: string;
  profile?: string;
  json?: boolean;
}

/** Declares --url, --client-id, --client-secret, --profile and --json on a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'pconn server (env PCONN_URL; default from the profile)')
    .option('--client-id <id>', 'OAuth client id (env PCONN_CLIENT_ID)')
    .option('--client-secret <secret>', 'OAuth client secret (env PCONN_CLIENT_SECRET)')
    .option('--profile <name>', 'profile saved by `pconn login` (env PCONN_PROFILE)')
    .option('--json', 'machine-readable output');
}

/** Server and credentials resolved from flags, environment and the profile. */
export interface ResolvedConnection {
  url: string;
  clientId: string;
  clientSecret: string;
  profile?: string;
}

/** Resolves where to connect and as whom, or explains what is missing. */
export function resolveConnection(options: ConnectionOptions): ResolvedConnection {
  const file = readProfiles();
  const name = profileName(options.profile, file);
  const profile = file.profiles[name];
  if (options.profile && !profile) {
    throw new UsageError(`no profile '${options.profile}': run pconn login --profile ${options.profile}`);
  }
  const url = options.url || process.env.PCONN_URL || profile?.url || 'http://127.0.0.1:8080';
  const clientId = options.clientId || process.env.PCONN_CLIENT_ID || profile?.clientId;
  const clientSecret = options.clientSecret || process.env.PCONN_CLIENT_SECRET || profile?.clientSecret;
  if (!clientId || !clientSecret) {
    throw new UsageError(
      'no credentials: run pconn login, pass --client-id and --client-secret, or set PCONN_CLIENT_ID and PCONN_CLIENT_SECRET',
    );
  }
  // The profile's cached token only applies when its credentials are the ones in use.
  const sameAsProfile = profile && profile.clientId === clientId && profile.url === url;
  return {
    url: url.replace(/\/+$/, ''),
    clientId,
    clientSecret,
    ...(sameAsProfile ? { profile: name } : {}),
  };
}

/** Builds an SDK client; with a profile, its cached token is reused and refreshed tokens saved. */
export function clientFrom(options: ConnectionOptions): PconnClient {
  const connection = resolveConnection(options);
  const token = connection.profile ? readProfiles().profiles[connection.profile]?.token : undefined;
  return new PconnClient({
    baseUrl: connection.url,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    ...(token ? { token } : {}),
    ...(connection.profile ? { onToken: (fresh) => saveToken(connection.profile as string, fresh) } : {}),
  });
}
