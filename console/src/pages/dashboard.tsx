import type { AbandonmentLedger, Call, Campaign, PconnEvent } from 'pconn/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Link } from '../components/link.tsx';
import { problemText } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { firstItems } from '../components/use-load.ts';

const STATUSES = [
  'queued',
  'scheduled',
  'dialing_user',
  'dialing_contact',
  'connected',
  'completed',
  'failed',
  'canceled',
  'blocked',
] as const;

interface CallSummary {
  id: string;
  status: string;
  outcome: string | null;
  campaignId: string | null;
  userId: string | null;
}

/** A panel read from its own API: its rows, or why it cannot show them. */
type Panel = { state: 'loading' } | { state: 'unavailable'; why: string } | { state: 'ok'; rows: string[][] };

/**
 * Live view: calls by status and per campaign, from the newest 200 calls and then every call
 * event of GET /v1/events as it arrives (the stream is resumed with Last-Event-ID by the SDK).
 */
export function DashboardPage() {
  const [calls, setCalls] = useState<Map<string, CallSummary>>(new Map());
  const [campaigns, setCampaigns] = useState<Map<string, Campaign>>(new Map());
  const [live, setLive] = useState<'connecting' | 'live' | string>('connecting');
  const [lastEvent, setLastEvent] = useState<string>('');
  // How many events the page has applied: shown as data-events-seen, which the console_lag_p99
  // bench (bench/console-lag.ts) watches to time an event's arrival in the DOM.
  const [eventsSeen, setEventsSeen] = useState(0);
  const [agents, setAgents] = useState<Panel>({ state: 'loading' });
  const [ledger, setLedger] = useState<Panel>({ state: 'loading' });
  // A burst of agent events reads the sessions once, after the burst, not once per event.
  const agentsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const agentsChanged = () => {
    clearTimeout(agentsTimer.current);
    agentsTimer.current = setTimeout(() => loadAgents(setAgents), 100);
  };

  useEffect(() => {
    const stop = new AbortController();
    (async () => {
      try {
        const [recent, list] = await Promise.all([
          client.request<{ data: Call[] }>('GET', '/v1/calls', { query: { limit: 200 } }),
          firstItems(client.campaigns.list(), 200),
        ]);
        setCampaigns(new Map(list.map((c) => [c.id, c])));
        setCalls((known) => {
          const next = new Map(known);
          for (const call of recent.data) if (!next.has(call.id)) next.set(call.id, summary(call));
          return next;
        });
        loadAgents(setAgents);
        loadLedger(list, setLedger);
      } catch (error) {
        setLive(problemText(error));
      }
    })();
    (async () => {
      try {
        setLive('live');
        for await (const event of client.events({ signal: stop.signal, maxReconnects: 1000 })) {
          apply(event, setCalls, setCampaigns);
          if (event.type === 'agent.state_changed' || event.type === 'agent.session_changed') agentsChanged();
          setLastEvent(`${event.type} at ${new Date(event.timestamp).toLocaleTimeString()}`);
          setEventsSeen((n) => n + 1);
        }
      } catch (error) {
        if (!stop.signal.aborted) setLive(problemText(error));
      }
    })();
    return () => stop.abort();
  }, []);

  const byStatus = new Map<string, number>();
  const perCampaign = new Map<string, Map<string, number>>();
  const agentsPerCampaign = new Map<string, Set<string>>();
  for (const call of calls.values()) {
    byStatus.set(call.status, (byStatus.get(call.status) ?? 0) + 1);
    const key = call.campaignId ?? '(direct)';
    const counts = perCampaign.get(key) ?? new Map<string, number>();
    counts.set(call.status, (counts.get(call.status) ?? 0) + 1);
    counts.set('total', (counts.get('total') ?? 0) + 1);
    if (call.outcome) counts.set(`outcome:${call.outcome}`, (counts.get(`outcome:${call.outcome}`) ?? 0) + 1);
    perCampaign.set(key, counts);
    if (call.userId) agentsPerCampaign.set(key, (agentsPerCampaign.get(key) ?? new Set()).add(call.userId));
  }
  return (
    <section>
      <h1>Dashboard</h1>
      <p class="live" aria-live="polite" data-events-seen={eventsSeen}>
        Stream: <span data-testid="stream-state">{live}</span>
        {lastEvent ? ` · last event ${lastEvent}` : ''}
      </p>
      <div class="panels">
        <section class="panel" aria-labelledby="by-status">
          <h2 id="by-status">Calls by status</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Calls</th>
              </tr>
            </thead>
            <tbody>
              {STATUSES.map((status) => (
                <tr key={status}>
                  <th scope="row">{status}</th>
                  <td data-testid={`status-${status}`}>{byStatus.get(status) ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="panel wide" aria-labelledby="per-campaign">
          <h2 id="per-campaign">Per campaign</h2>
          <ScrollBox label="Calls per campaign">
            <table>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Status</th>
                  <th scope="col">Calls</th>
                  <th scope="col">In progress</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Dials per agent</th>
                  <th scope="col">Answer rate</th>
                  <th scope="col">Abandon rate</th>
                </tr>
              </thead>
              <tbody>
                {[...perCampaign].map(([id, counts]) => {
                  const done = (counts.get('completed') ?? 0) + (counts.get('failed') ?? 0);
                  const answered = counts.get('outcome:answered') ?? counts.get('completed') ?? 0;
                  const active =
                    (counts.get('dialing_user') ?? 0) +
                    (counts.get('dialing_contact') ?? 0) +
                    (counts.get('connected') ?? 0);
                  return (
                    <tr key={id} data-campaign={id}>
                      <th scope="row">
                        {id === '(direct)' ? (
                          id
                        ) : (
                          <Link to={`/campaigns/${encodeURIComponent(id)}`}>
                            {campaigns.get(id)?.name ?? id}
                          </Link>
                        )}
                      </th>
                      <td>{campaigns.get(id)?.status ?? '—'}</td>
                      <td data-testid={`campaign-total-${id}`}>{counts.get('total') ?? 0}</td>
                      <td>{active}</td>
                      <td>{counts.get('completed') ?? 0}</td>
                      <td>{counts.get('failed') ?? 0}</td>
                      <td data-testid={`campaign-per-agent-${id}`}>
                        {perAgent(counts.get('total') ?? 0, agentsPerCampaign.get(id)?.size ?? 0)}
                      </td>
                      <td>{done > 0 ? `${Math.round((100 * answered) / done)}%` : '—'}</td>
                      <td>{rate(counts.get('outcome:abandoned') ?? 0, answered)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollBox>
        </section>
        <PanelView id="agents" title="Agents by state" panel={agents} head={['State', 'Agents', 'Who']} />
        <PanelView
          id="ledger"
          title="Abandonment ledger headroom"
          panel={ledger}
          head={['Campaign', '30-day rate', 'Cap', 'Headroom']}
        />
      </div>
    </section>
  );
}

function PanelView(props: { id: string; title: string; panel: Panel; head: string[] }) {
  const { panel } = props;
  return (
    <section class="panel" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {panel.state === 'loading' ? <p>Loading…</p> : null}
      {panel.state === 'unavailable' ? <p class="muted">Not available: {panel.why}</p> : null}
      {panel.state === 'ok' ? (
        <table>
          <thead>
            <tr>
              {props.head.map((h) => (
                <th scope="col" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {panel.rows.map((row) => (
              <tr key={row.join('|')} data-testid={`${props.id}-${row[0]}`}>
                {row.map((cell, i) => (
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Calls per agent who took one, to one decimal. */
function perAgent(calls: number, agents: number): string {
  return agents > 0 ? (calls / agents).toFixed(1) : '—';
}

/** A share as a percentage, or a dash when there is nothing to divide by. */
function rate(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—';
}

function summary(call: Pick<Call, 'id' | 'status' | 'outcome' | 'campaignId' | 'userId'>): CallSummary {
  return {
    id: call.id,
    status: call.status,
    outcome: call.outcome ?? null,
    campaignId: call.campaignId ?? null,
    userId: call.userId ?? null,
  };
}

function apply(
  event: PconnEvent,
  setCalls: (f: (m: Map<string, CallSummary>) => Map<string, CallSummary>) => void,
  setCampaigns: (f: (m: Map<string, Campaign>) => Map<string, Campaign>) => void,
): void {
  const call = (event.data as Record<string, unknown>).call as Call | undefined;
  if (call?.id && call.status) setCalls((known) => new Map(known).set(call.id, summary(call)));
  const campaign = (event.data as Record<string, unknown>).campaign as Campaign | undefined;
  if (campaign?.id) setCampaigns((known) => new Map(known).set(campaign.id, campaign));
}

/** Agents by state: every open session, grouped by the agent's state (GET /v1/agent-sessions). */
async function loadAgents(setAgents: (p: Panel) => void): Promise<void> {
  try {
    const sessions = [];
    for await (const session of client.sessions.list({ status: 'open' })) sessions.push(session);
    const byState = new Map<string, string[]>();
    for (const session of sessions) {
      const state = session.status === 'starting' ? 'starting' : session.state;
      byState.set(state, [...(byState.get(state) ?? []), session.userId]);
    }
    setAgents({
      state: 'ok',
      rows: AGENT_STATES.filter((state) => byState.has(state)).map((state) => [
        state,
        String(byState.get(state)?.length ?? 0),
        (byState.get(state) ?? []).join(', '),
      ]),
    });
  } catch (error) {
    setAgents({ state: 'unavailable', why: problemText(error) });
  }
}

/** The states the agents panel lists, in the dialing cycle's order (`starting`: phone not answered yet). */
const AGENT_STATES = ['available', 'reserved', 'on_call', 'wrap_up', 'paused', 'starting'] as const;

/**
 * The abandonment ledger's headroom of each running (else paused) campaign: the rolling 30-day
 * rate against the jurisdiction's cap (GET /v1/campaigns/{id}/abandonment).
 */
async function loadLedger(campaigns: Campaign[], setLedger: (p: Panel) => void): Promise<void> {
  const shown = campaigns.filter((c) => c.status === 'running' || c.status === 'paused').slice(0, 20);
  if (shown.length === 0) {
    setLedger({ state: 'unavailable', why: 'no running campaign' });
    return;
  }
  try {
    const ledgers = await Promise.all(
      shown.map((c) =>
        client.request<AbandonmentLedger>('GET', `/v1/campaigns/${encodeURIComponent(c.id)}/abandonment`),
      ),
    );
    setLedger({
      state: 'ok',
      rows: ledgers.map((ledger, i) => {
        const { rate, cap, liveAnswers, abandoned, restricted } = ledger.rolling30Days;
        return [
          shown[i]?.name ?? ledger.campaignId,
          `${percent(rate)} (${abandoned} of ${liveAnswers})`,
          cap === null ? 'no cap' : percent(cap),
          cap === null ? '—' : restricted ? 'none: restricted' : percent(Math.max(0, cap - rate)),
        ];
      }),
    });
  } catch (error) {
    setLedger({ state: 'unavailable', why: problemText(error) });
  }
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
