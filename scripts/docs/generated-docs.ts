import { renderConfiguration } from './render-configuration.ts';
import { renderErrors } from './render-errors.ts';

/** Each generated file (relative to the repo root) and the function that renders it. */
export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/errors.md': renderErrors,
  'docs/configuration.md': renderConfiguration,
};
