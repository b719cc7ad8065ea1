import type { Campaign, CampaignInput } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Link } from '../components/link.tsx';
import { ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { firstItems, useLoad } from '../components/use-load.ts';
import { navigate } from '../router.ts';
import { CampaignForm, changedFields } from './campaign-form.tsx';
import { ContactImport } from './contact-import.tsx';
import { DryRun } from './dry-run.tsx';

/** Campaigns: the list, a new campaign, or one campaign (`/campaigns/new`, `/campaigns/{id}`). */
export function CampaignsPage(props: { id: string | undefined }) {
  if (props.id === 'new') return <NewCampaign />;
  if (props.id) return <CampaignDetail id={decodeURIComponent(props.id)} />;
  return <CampaignList />;
}

function CampaignList() {
  const list = useLoad(() => firstItems(client.campaigns.list(), 500));
  return (
    <section>
      <h1>Campaigns</h1>
      <p>
        <Link to="/campaigns/new" class="button">
          New campaign
        </Link>
      </p>
      <ProblemBox error={list.error} />
      {list.value ? (
        <ScrollBox label="Campaigns">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Mode</th>
                <th scope="col">Caller id</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.value.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </th>
                  <td>{c.status}</td>
                  <td>{c.dialingMode}</td>
                  <td>{c.callerId ?? '—'}</td>
                  <td>{new Date(c.updatedAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.value.length === 0 ? <p>No campaigns yet.</p> : null}
        </ScrollBox>
      ) : null}
    </section>
  );
}

function NewCampaign() {
  return (
    <section>
      <h1>New campaign</h1>
      <CampaignForm
        onSave={async (body) => {
          const created = await client.campaigns.create(body as CampaignInput);
          navigate(`/campaigns/${encodeURIComponent(created.id)}`);
        }}
      />
    </section>
  );
}

type Action = 'start' | 'pause' | 'resume' | 'stop';

const ACTIONS = {
  draft: ['start'],
  scheduled: ['stop'],
  running: ['pause', 'stop'],
  paused: ['resume', 'stop'],
  completed: [],
  stopped: [],
} as const satisfies Record<Campaign['status'], readonly ('start' | 'pause' | 'resume' | 'stop')[]>;

function CampaignDetail(props: { id: string }) {
  const loaded = useLoad(() => client.campaigns.get(props.id), [props.id]);
  const [campaign, setCampaign] = useState<Campaign>();
  const [actionError, setActionError] = useState<unknown>();
  const current = campaign ?? loaded.value;
  if (loaded.error) return <ProblemBox error={loaded.error} />;
  if (!current) return <p>Loading…</p>;
  const act = async (action: 'start' | 'pause' | 'resume' | 'stop') => {
    setActionError(undefined);
    try {
      setCampaign(await client.campaigns.transition(current.id, action));
    } catch (error) {
      setActionError(error);
    }
  };
  return (
    <section>
      <h1>{current.name}</h1>
      <p>
        Status: <strong data-testid="campaign-status">{current.status}</strong> · id <code>{current.id}</code>
      </p>
      <fieldset class="actions">
        <legend>Change status</legend>
        {((ACTIONS as Record<string, readonly Action[]>)[current.status] ?? []).map((action) => (
          <button type="button" key={action} onClick={() => act(action)}>
            {action[0]?.toUpperCase()}
            {action.slice(1)}
          </button>
        ))}
      </fieldset>
      <ProblemBox error={actionError} />
      <details>
        <summary>Edit campaign</summary>
        <CampaignForm
          key={current.updatedAt}
          campaign={current}
          onSave={async (body) => {
            setCampaign(await client.campaigns.patch(current.id, changedFields(current, body)));
          }}
        />
      </details>
      <h2>Import contacts</h2>
      <ContactImport campaignId={current.id} />
      <h2>Can I call this contact now?</h2>
      <DryRun campaignId={current.id} />
      <p>
        <Link to={`/calls?campaignId=${encodeURIComponent(current.id)}`}>Calls of this campaign</Link>
      </p>
    </section>
  );
}
