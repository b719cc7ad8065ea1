import { SETTINGS, type Setting, type SettingGroup } from '../../src/config-settings.ts';
import { GENERATED_NOTICE, tableCell } from './markdown.ts';

/** What each group is about, printed under its heading. */
const GROUP_NOTES: Record<SettingGroup, string> = {
  Server: 'The HTTP API of one node.',
  Store:
    'Without `DATABASE_URL` pconn runs PostgreSQL in-process (PGlite) under `PCONN_DATA_DIR`: nothing to install, and it survives a killed process, but it is not made for power loss or several nodes. For production point `DATABASE_URL` at a PostgreSQL cluster.',
  Authentication: 'OAuth 2.0 client credentials, signing keys, and an optional external token issuer.',
  Telephony: 'Which driver places the calls.',
  SIP: 'The `sip` driver (see [telephony.md](telephony.md)); ignored with the sandbox.',
  Sandbox: 'The `sandbox` driver: in-process, no network, magic numbers.',
  Dialer: 'The loop that claims due calls, dials them and settles their outcome.',
  'Events and webhooks': 'The outbox readers: webhook relay and the `GET /v1/events` stream.',
  Metrics: 'Prometheus `GET /metrics` on the API port.',
  'Tracing (OpenTelemetry)': 'OTLP/HTTP trace export; the standard OpenTelemetry variables.',
  CLI: 'Read by the `pconn` command line (see [cli.md](cli.md)), not by the server.',
};

function defaultCell(setting: Setting): string {
  if (setting.defaultText) return tableCell(setting.defaultText);
  return setting.default === undefined ? '—' : `\`${setting.default}\``;
}

/** docs/configuration.md: every environment variable pconn reads, grouped, from SETTINGS. */
export function renderConfiguration(): string {
  const entries = Object.entries(SETTINGS) as Array<[string, Setting]>;
  const groups = [...new Set(entries.map(([, setting]) => setting.group))];
  const sections = groups.flatMap((group) => [
    `## ${group}`,
    '',
    GROUP_NOTES[group],
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...entries
      .filter(([, setting]) => setting.group === group)
      .map(
        ([name, setting]) => `| \`${name}\` | ${defaultCell(setting)} | ${tableCell(setting.description)} |`,
      ),
    '',
  ]);
  return [
    '# Configuration reference',
    '',
    GENERATED_NOTICE('src/config-settings.ts'),
    '',
    'pconn is configured by environment variables only; each is read once at start-up and a bad',
    'value stops the start with a message naming the variable. An empty value counts as unset.',
    '',
    ...sections,
  ].join('\n');
}
