import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CachedToken } from '../sdk/index.ts';

/** One named server + client pair, with its cached access token. */
export interface Profile {
  url: string;
  clientId: string;
  clientSecret: string;
  token?: CachedToken;
}

/** The CLI's config file: named profiles and which one is used by default. */
export interface ProfileFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/**
 * Where the CLI keeps its profiles: `$PCONN_CONFIG_DIR` (tests), else `$XDG_CONFIG_HOME/pconn`,
 * else `~/.config/pconn`.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PCONN_CONFIG_DIR) return env.PCONN_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'pconn');
  return join(homedir(), '.config', 'pconn');
}

/** Path of the profiles file. */
export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'profiles.json');
}

/** Reads the profiles file (empty when there is none). */
export function readProfiles(env: NodeJS.ProcessEnv = process.env): ProfileFile {
  const path = profilesPath(env);
  if (!existsSync(path)) return { profiles: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProfileFile>;
    return { ...parsed, profiles: parsed.profiles ?? {} };
  } catch {
    throw new Error(`${path} is not valid JSON: fix or delete it, then run pconn login again`);
  }
}

/**
 * Writes the profiles file with mode 0600 (it holds client secrets and tokens) in a 0700
 * directory; written to a temporary file and renamed so a crash never leaves half a file.
 */
export function writeProfiles(file: ProfileFile, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = profilesPath(env);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

/** Name of the profile to use: --profile, then $PCONN_PROFILE, then the file's default. */
export function profileName(requested: string | undefined, file: ProfileFile): string {
  return requested || process.env.PCONN_PROFILE || file.defaultProfile || 'default';
}

/** Stores a freshly fetched token on the profile so the next command skips the token request. */
export function saveToken(name: string, token: CachedToken): void {
  const file = readProfiles();
  const profile = file.profiles[name];
  if (!profile) return;
  profile.token = token;
  writeProfiles(file);
}
