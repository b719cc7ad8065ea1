import type { Command } from 'commander';
import { PconnClient } from '../../sdk/index.ts';
import { EXIT, print, run } from '../output.ts';
import { profileName, profilesPath, readProfiles, writeProfiles } from '../profile-store.ts';
import { UsageError } from '../usage-error.ts';

interface LoginOptions {
  url?: string;
  clientId?: string;
  clientSecret?: string;
  profile?: string;
  default?: boolean;
  json?: boolean;
}

/**
 * `pconn login`: checks a client id/secret against the server (by fetching a token) and saves
 * them as a named profile with the cached token, in a 0600 file under the user's config dir.
 * `pconn logout` forgets a profile; `pconn profiles` lists them (secrets never printed).
 */
export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description('save a server and client credentials as a profile (token cached and refreshed)')
    .option('--url <url>', 'pconn server (env PCONN_URL)')
    .option('--client-id <id>', 'OAuth client id (env PCONN_CLIENT_ID)')
    .option('--client-secret <secret>', 'OAuth client secret (env PCONN_CLIENT_SECRET)')
    .option('--profile <name>', 'profile name', undefined)
    .option('--default', 'make this the default profile')
    .option('--json', 'machine-readable output')
    .action((options: LoginOptions) =>
      run(options, async () => {
        const url = (options.url || process.env.PCONN_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
        const clientId = options.clientId || process.env.PCONN_CLIENT_ID;
        const clientSecret = options.clientSecret || process.env.PCONN_CLIENT_SECRET;
        if (!clientId || !clientSecret) throw new UsageError('login needs --client-id and --client-secret');
        const file = readProfiles();
        const name = options.profile || file.defaultProfile || 'default';
        let token: import('../../sdk/index.ts').CachedToken | undefined;
        const client = new PconnClient({ baseUrl: url, clientId, clientSecret, onToken: (t) => (token = t) });
        await client.accessToken();
        file.profiles[name] = { url, clientId, clientSecret, ...(token ? { token } : {}) };
        if (options.default || !file.defaultProfile) file.defaultProfile = name;
        const path = writeProfiles(file);
        print(
          options.json === true,
          { profile: name, url, clientId, scope: token?.scope ?? '', path },
          () => [
            `logged in to ${url} as ${clientId} (profile '${name}'${file.defaultProfile === name ? ', default' : ''})`,
            `scopes: ${token?.scope ?? ''}`,
            `saved in ${path} (mode 0600)`,
          ],
        );
        return EXIT.ok;
      }),
    );

  program
    .command('logout')
    .description('forget a saved profile')
    .option('--profile <name>', 'profile name')
    .option('--json', 'machine-readable output')
    .action((options: LoginOptions) =>
      run(options, async () => {
        const file = readProfiles();
        const name = profileName(options.profile, file);
        if (!file.profiles[name]) throw new UsageError(`no profile '${name}'`);
        delete file.profiles[name];
        if (file.defaultProfile === name) delete file.defaultProfile;
        writeProfiles(file);
        print(options.json === true, { removed: name }, () => [`removed profile '${name}'`]);
        return EXIT.ok;
      }),
    );

  program
    .command('profiles')
    .description('list saved profiles')
    .option('--json', 'machine-readable output')
    .action((options: LoginOptions) =>
      run(options, async () => {
        const file = readProfiles();
        const rows = Object.entries(file.profiles).map(([name, p]) => ({
          name,
          url: p.url,
          clientId: p.clientId,
          default: name === file.defaultProfile,
          tokenValidUntil: p.token ? new Date(p.token.expiresAt).toISOString() : null,
        }));
        print(options.json === true, rows, () =>
          rows.length === 0
            ? [`no profiles in ${profilesPath()}: run pconn login`]
            : rows.map((r) => `${r.default ? '*' : ' '} ${r.name.padEnd(12)} ${r.url}  ${r.clientId}`),
        );
        return EXIT.ok;
      }),
    );
}
