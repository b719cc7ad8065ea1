import type { AuditEvent, Page } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { useLoad } from '../components/use-load.ts';
import { navigate } from '../router.ts';
import { verifyChain } from './audit-verify.ts';

const FILTERS = ['requestId', 'status', 'code', 'from', 'to'] as const;

/** Audit explorer: search the tenant's trail, open an entry and its problem, verify the chain. */
export function AuditPage(props: { query: URLSearchParams }) {
  const [form, setForm] = useState<Record<string, string>>(() =>
    Object.fromEntries(FILTERS.map((f) => [f, props.query.get(f) ?? ''])),
  );
  const [open, setOpen] = useState<string>();
  const [verdict, setVerdict] = useState<string>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const key = props.query.toString();
  const results = useLoad(() => {
    const query: Record<string, string | number | undefined> = { limit: 50 };
    for (const f of FILTERS) {
      const value = props.query.get(f);
      if (!value) continue;
      query[f] =
        f === 'status' ? Number(value) : f === 'from' || f === 'to' ? new Date(value).toISOString() : value;
    }
    return client.request<Page<AuditEvent>>('GET', '/v1/audit-events', { query });
  }, [key]);
  const search = (event: Event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    for (const f of FILTERS) if (form[f]) q.set(f, form[f] ?? '');
    navigate(`/audit${q.size ? `?${q}` : ''}`);
  };
  const set = (f: string) => (value: string) => setForm((s) => ({ ...s, [f]: value }));
  return (
    <section>
      <h1>Audit explorer</h1>
      <search>
        <form class="filters" onSubmit={search}>
          <Field
            id="audit-requestId"
            label="Request id"
            value={form.requestId ?? ''}
            onInput={set('requestId')}
          />
          <Field
            id="audit-status"
            label="Status"
            type="number"
            value={form.status ?? ''}
            onInput={set('status')}
          />
          <Field id="audit-code" label="Problem code" value={form.code ?? ''} onInput={set('code')} />
          <Field
            id="audit-from"
            label="From"
            type="datetime-local"
            value={form.from ?? ''}
            onInput={set('from')}
          />
          <Field id="audit-to" label="To" type="datetime-local" value={form.to ?? ''} onInput={set('to')} />
          <button type="submit">Search</button>
        </form>
      </search>
      <div class="actions">
        <button
          type="button"
          onClick={async () => {
            setVerdict('Verifying…');
            setVerifyError(undefined);
            try {
              setVerdict(await verifyChain(client));
            } catch (error) {
              setVerdict(undefined);
              setVerifyError(error);
            }
          }}
        >
          Verify the chain
        </button>
        {verdict ? (
          <span role="status" data-testid="verify-verdict">
            {verdict}
          </span>
        ) : null}
      </div>
      <ProblemBox error={verifyError ?? results.error} />
      {results.value ? (
        <ScrollBox label="Audit entries">
          <table>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Request</th>
                <th scope="col">Who</th>
                <th scope="col">Request line</th>
                <th scope="col">Status</th>
                <th scope="col">Code</th>
              </tr>
            </thead>
            <tbody>
              {results.value.data.map((entry) => (
                <tr key={entry.requestId} data-request-id={entry.requestId}>
                  <td>{new Date(entry.at).toLocaleString()}</td>
                  <th scope="row">
                    <button
                      type="button"
                      class="link"
                      aria-expanded={open === entry.requestId}
                      onClick={() => setOpen(open === entry.requestId ? undefined : entry.requestId)}
                    >
                      {entry.requestId}
                    </button>
                  </th>
                  <td>{entry.clientId ?? '—'}</td>
                  <td>
                    {entry.method} {entry.path}
                  </td>
                  <td>{entry.status}</td>
                  <td>{entry.code ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {results.value.data.length === 0 ? <p>No entry matches.</p> : null}
        </ScrollBox>
      ) : null}
      {open ? <AuditEntry entry={results.value?.data.find((e) => e.requestId === open)} /> : null}
    </section>
  );
}

function AuditEntry(props: { entry: AuditEvent | undefined }) {
  const entry = props.entry;
  if (!entry) return null;
  const problem = entry.problem as { title?: string; detail?: string; code?: string; type?: string } | null;
  return (
    <section class="entry" aria-label={`Audit entry ${entry.requestId}`} data-testid="audit-entry">
      <h2>Request {entry.requestId}</h2>
      <p>
        {entry.method} {entry.path} → {entry.status} in {Math.round(entry.durationMs)} ms, from{' '}
        {entry.ip ?? '?'} ({entry.userAgent ?? 'no user agent'}); chain {entry.chain} #{entry.sequence}.
      </p>
      {problem ? (
        <div class="explain">
          <h3>Problem</h3>
          <p>
            <strong>{problem.title}</strong> (<code>{problem.code}</code>): {problem.detail}
          </p>
          <p class="muted">
            Explain it from a terminal with <code>pconn explain {entry.requestId}</code>.
          </p>
          <pre>{JSON.stringify(problem, null, 2)}</pre>
        </div>
      ) : null}
      <h3>Body (as recorded, secrets masked)</h3>
      <pre>{JSON.stringify(entry.body, null, 2)}</pre>
    </section>
  );
}
