import type { Call, Page } from 'pconn/sdk';
import { TERMINAL_CALL_STATUSES } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { useLoad } from '../components/use-load.ts';
import { navigate } from '../router.ts';
import { AttemptMedia } from './attempt-media.tsx';
import { DecisionRules } from './dry-run.tsx';

const STATUSES = [
  '',
  'queued',
  'scheduled',
  'dialing_user',
  'dialing_contact',
  'connected',
  'completed',
  'failed',
  'canceled',
  'blocked',
];

/** Calls: search with filters, or one call (`/calls/{id}`). */
export function CallsPage(props: { id: string | undefined; query: URLSearchParams }) {
  if (props.id) return <CallDetail id={decodeURIComponent(props.id)} />;
  return <CallList query={props.query} />;
}

function CallList(props: { query: URLSearchParams }) {
  const [campaignId, setCampaignId] = useState(props.query.get('campaignId') ?? '');
  const [status, setStatus] = useState(props.query.get('status') ?? '');
  const [callId, setCallId] = useState('');
  const key = props.query.toString();
  const list = useLoad(
    () =>
      client.request<Page<Call>>('GET', '/v1/calls', {
        query: {
          limit: 100,
          campaignId: props.query.get('campaignId') || undefined,
          status: props.query.get('status') || undefined,
          cursor: props.query.get('cursor') || undefined,
        },
      }),
    [key],
  );
  const search = (event: Event) => {
    event.preventDefault();
    if (callId.trim()) return navigate(`/calls/${encodeURIComponent(callId.trim())}`);
    const q = new URLSearchParams();
    if (campaignId) q.set('campaignId', campaignId);
    if (status) q.set('status', status);
    navigate(`/calls${q.size ? `?${q}` : ''}`);
  };
  return (
    <section>
      <h1>Calls</h1>
      <search>
        <form class="filters" onSubmit={search}>
          <Field id="calls-campaign" label="Campaign id" value={campaignId} onInput={setCampaignId} />
          <Field id="calls-status" label="Status" value={status} onInput={setStatus} options={STATUSES} />
          <Field id="calls-id" label="Call id (open directly)" value={callId} onInput={setCallId} />
          <button type="submit">Search</button>
        </form>
      </search>
      <ProblemBox error={list.error} />
      {list.value ? (
        <ScrollBox label="Calls">
          <table>
            <thead>
              <tr>
                <th scope="col">Call</th>
                <th scope="col">Status</th>
                <th scope="col">Outcome</th>
                <th scope="col">To</th>
                <th scope="col">Campaign</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.value.data.map((call) => (
                <tr key={call.id}>
                  <th scope="row">
                    <Link to={`/calls/${encodeURIComponent(call.id)}`}>{call.id}</Link>
                  </th>
                  <td>{call.status}</td>
                  <td>{call.outcome ?? '—'}</td>
                  <td>{call.to}</td>
                  <td>{call.campaignId ?? '—'}</td>
                  <td>{new Date(call.createdAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.value.data.length === 0 ? <p>No calls match.</p> : null}
          {list.value.nextCursor ? (
            <button
              type="button"
              onClick={() => {
                const q = new URLSearchParams(props.query);
                q.set('cursor', list.value?.nextCursor ?? '');
                navigate(`/calls?${q}`);
              }}
            >
              Older calls
            </button>
          ) : null}
        </ScrollBox>
      ) : null}
    </section>
  );
}

function CallDetail(props: { id: string }) {
  const call = useLoad(() => client.calls.get(props.id), [props.id]);
  const timeline = useLoad(() => client.calls.timeline(props.id), [props.id]);
  const [error, setError] = useState<unknown>();
  const cancel = async () => {
    setError(undefined);
    try {
      await client.calls.cancel(props.id);
      call.reload();
      timeline.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  if (call.error) return <ProblemBox error={call.error} />;
  const c = call.value;
  if (!c) return <p>Loading…</p>;
  return (
    <section>
      <h1>Call {c.id}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="call-status">{c.status}</dd>
        <dt>Outcome</dt>
        <dd>{c.outcome ?? '—'}</dd>
        <dt>To</dt>
        <dd>{c.to}</dd>
        <dt>Caller id</dt>
        <dd>{c.callerId ?? '—'}</dd>
        <dt>Campaign</dt>
        <dd>
          {c.campaignId ? (
            <Link to={`/campaigns/${encodeURIComponent(c.campaignId)}`}>{c.campaignId}</Link>
          ) : (
            '—'
          )}
        </dd>
        <dt>Agent</dt>
        <dd>{c.userId ?? '—'}</dd>
        <dt>Reason</dt>
        <dd>{c.reason ?? '—'}</dd>
        <dt>Sandbox</dt>
        <dd>{c.sandbox ? 'yes' : 'no'}</dd>
      </dl>
      {!TERMINAL_CALL_STATUSES.has(c.status) ? (
        <button type="button" onClick={cancel}>
          Cancel call
        </button>
      ) : null}
      <ProblemBox error={error} />
      <h2>Attempts</h2>
      {c.attempts.length === 0 ? <p>No attempt yet.</p> : null}
      {c.attempts.map((attempt) => (
        <section key={attempt.n} class="attempt" aria-label={`Attempt ${attempt.n}`}>
          <h3>Attempt {attempt.n}</h3>
          <p>
            {new Date(attempt.startedAt).toLocaleString()} →{' '}
            {attempt.endedAt ? new Date(attempt.endedAt).toLocaleString() : 'ongoing'}
            {' · '}outcome {attempt.outcome ?? '—'} · SIP {attempt.sipStatus ?? '—'} {attempt.sipReason ?? ''}
          </p>
          <AttemptMedia attempt={attempt} />
          <DecisionRules decision={attempt.decision} />
        </section>
      ))}
      <h2>Timeline</h2>
      <ProblemBox error={timeline.error} />
      <ol class="timeline">
        {(timeline.value ?? []).map((event) => (
          <li key={event.id}>
            <time dateTime={event.timestamp}>{new Date(event.timestamp).toLocaleTimeString()}</time>{' '}
            <strong>{event.type}</strong>
          </li>
        ))}
      </ol>
      <details>
        <summary>Metadata</summary>
        <pre>{JSON.stringify(c.metadata, null, 2)}</pre>
      </details>
    </section>
  );
}
