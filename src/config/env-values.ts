import { type SettingName, settingValue } from '../config-settings.ts';

/** A configuration problem found at start-up, named after the variable. */
export class ConfigError extends Error {}

/** The setting's value or its default from SETTINGS; '' when it has neither. */
export function text(env: NodeJS.ProcessEnv, name: SettingName): string {
  return settingValue(env, name) ?? '';
}

/** The setting as an integer ≥ `min`; ConfigError naming it otherwise. */
export function integer(env: NodeJS.ProcessEnv, name: SettingName, min = 0): number {
  const raw = text(env, name);
  const value = Number(raw);
  if (raw === '' || !Number.isInteger(value) || value < min)
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got '${raw}'.`);
  return value;
}

/** The setting as a positive number; ConfigError naming it otherwise. */
export function positiveNumber(env: NodeJS.ProcessEnv, name: SettingName): number {
  const raw = text(env, name);
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive number, got '${raw}'.`);
  return value;
}

/** The setting as `on` (true) or `off` (false); ConfigError naming it otherwise. */
export function onOff(env: NodeJS.ProcessEnv, name: SettingName): boolean {
  const raw = text(env, name);
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be 'on' or 'off', got '${raw}'.`);
  return raw === 'on';
}
