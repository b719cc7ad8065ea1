import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FieldError } from '../../sdk/index.ts';
import { contractErrors } from '../explain/rebuild-problem.ts';
import { UsageError } from '../usage-error.ts';
import { PHONE_TYPES, RESOURCE_KINDS } from './resource-kinds.ts';

/** A parsed pconn.yaml: documents by kind and id, plus the phone types if declared. */
export interface ConfigDocument {
  phoneTypes?: string[];
  resources: Record<string, Record<string, Record<string, unknown>>>;
}

/** The file's content is not a valid configuration: each problem with where it is. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: FieldError[],
  ) {
    super(`${file} has ${errors.length} problem(s)`);
    this.name = 'ConfigFileError';
  }
}

/**
 * Replaces `${VAR}` in every string value with the environment's value (secrets stay out of
 * the file); done after parsing, so comments and quoting are never affected. A missing
 * variable is an error.
 */
function substitute(value: unknown, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = process.env[name];
      if (found === undefined) missing.add(name);
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, missing)]));
  }
  return value;
}

/**
 * Reads and checks a config file: YAML (or JSON), `${VAR}` substitution, known kinds only, and
 * every document checked against the contract schema of its kind — all problems reported at
 * once, each with a pointer such as `/campaigns/spring/callerId`, before anything is sent.
 */
export function loadConfigDocument(file: string): ConfigDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const missing = new Set<string>();
  let raw: unknown;
  try {
    raw = substitute(parse(text) ?? {}, missing);
  } catch (error) {
    // The parser quotes the offending source line after a blank line; that line may hold a
    // secret, so only the position is kept.
    const position = ((error as Error).message.split('\n\n')[0] ?? 'unreadable YAML').replace(/:\s*$/, '.');
    throw new ConfigFileError(file, [{ pointer: '', code: 'invalid_yaml', detail: position }]);
  }
  const errors: FieldError[] = [...missing].map((name) => ({
    pointer: '',
    code: 'missing_variable',
    detail: `\${${name}} is used but not set in the environment.`,
  }));
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    throw new ConfigFileError(file, [
      { pointer: '', code: 'type', detail: 'The file must be a mapping of kinds.' },
    ]);
  }
  const known = new Set([PHONE_TYPES.key, ...RESOURCE_KINDS.map((k) => k.key), 'apiVersion']);
  const document: ConfigDocument = { resources: {} };
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) {
      errors.push({
        pointer: `/${key}`,
        code: 'unknown_field',
        detail: `Unknown kind '${key}'.`,
        hint: `Kinds: ${[...known].join(', ')}.`,
      });
    }
  }
  const types = (raw as Record<string, unknown>)[PHONE_TYPES.key];
  if (types !== undefined) {
    errors.push(...contractErrors(PHONE_TYPES.schema, { phoneTypes: types }, ''));
    document.phoneTypes = types as string[];
  }
  for (const kind of RESOURCE_KINDS) {
    const entries = (raw as Record<string, unknown>)[kind.key];
    if (entries === undefined || entries === null) continue;
    if (typeof entries !== 'object' || Array.isArray(entries)) {
      errors.push({
        pointer: `/${kind.key}`,
        code: 'type',
        detail: `${kind.key} must map ids to documents.`,
      });
      continue;
    }
    document.resources[kind.key] = {};
    for (const [id, body] of Object.entries(entries as Record<string, unknown>)) {
      errors.push(...contractErrors(kind.schema, body ?? {}, `/${kind.key}/${id}`));
      (document.resources[kind.key] as Record<string, unknown>)[id] = (body ?? {}) as Record<string, unknown>;
    }
  }
  if (errors.length > 0) throw new ConfigFileError(file, errors);
  return document;
}
