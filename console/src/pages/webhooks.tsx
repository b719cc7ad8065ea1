import type { Page, Webhook } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { fieldErrors, ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { firstItems, useLoad } from '../components/use-load.ts';

interface Delivery {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  lastAttempt: { statusCode: number | null; error: string | null } | null;
  createdAt: string;
}

/** Webhook endpoints, their deliveries and redelivery. */
export function WebhooksPage() {
  const list = useLoad(() => firstItems(client.webhooks.list(), 200));
  const [selected, setSelected] = useState<string>();
  const [id, setId] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('call.*');
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string>();
  const errors = fieldErrors(error);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const { resource } = await client.webhooks.put(id, {
        url,
        events: events.split(/[\s,]+/).filter(Boolean),
      } as never);
      setSecret((resource as Record<string, unknown>).secret as string | undefined);
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <h1>Webhooks</h1>
      <ProblemBox error={list.error} />
      <ScrollBox label="Webhook endpoints">
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(list.value ?? []).map((w: Webhook) => (
              <tr key={w.id}>
                <th scope="row">
                  <button
                    type="button"
                    class="link"
                    aria-expanded={selected === w.id}
                    onClick={() => setSelected(w.id)}
                  >
                    {w.id}
                  </button>
                </th>
                <td>{w.url}</td>
                <td>{w.events.join(', ')}</td>
                <td>
                  {String(
                    (w as Record<string, unknown>).status ?? (w as Record<string, unknown>).enabled ?? '—',
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {selected ? <Deliveries webhookId={selected} /> : null}
      <h2>Add or replace an endpoint</h2>
      <form onSubmit={create}>
        <Field
          id="webhook-id"
          label="Endpoint id"
          value={id}
          onInput={setId}
          required
          errors={errors.get('')}
        />
        <Field
          id="webhook-url"
          label="URL"
          type="url"
          value={url}
          onInput={setUrl}
          required
          errors={errors.get('/url')}
        />
        <Field
          id="webhook-events"
          label="Event types (comma separated)"
          value={events}
          onInput={setEvents}
          errors={errors.get('/events')}
        />
        <ProblemBox error={error} />
        {secret ? (
          <p role="status">
            Signing secret (shown once): <code>{secret}</code>
          </p>
        ) : null}
        <button type="submit">Save endpoint</button>
      </form>
    </section>
  );
}

function Deliveries(props: { webhookId: string }) {
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>();
  const deliveries = useLoad(
    () =>
      client.request<Page<Delivery>>(
        'GET',
        `/v1/webhooks/${encodeURIComponent(props.webhookId)}/deliveries`,
        {
          query: { limit: 50, status: status || undefined },
        },
      ),
    [props.webhookId, status],
  );
  const redeliver = async (deliveryId: string) => {
    setError(undefined);
    try {
      await client.request(
        'POST',
        `/v1/webhooks/${encodeURIComponent(props.webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
        { idempotencyKey: false },
      );
      deliveries.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="deliveries">
      <h2 id="deliveries">Deliveries of {props.webhookId}</h2>
      <Field
        id="delivery-status"
        label="Status"
        value={status}
        onInput={setStatus}
        options={['', 'pending', 'delivered', 'failed']}
      />
      <ProblemBox error={error ?? deliveries.error} />
      <ScrollBox label="Deliveries">
        <table>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(deliveries.value?.data ?? []).map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.id}</th>
                <td>{d.eventType}</td>
                <td>{d.status}</td>
                <td>{d.attempts}</td>
                <td>{d.lastAttempt ? (d.lastAttempt.statusCode ?? d.lastAttempt.error ?? '—') : '—'}</td>
                <td>
                  <button type="button" onClick={() => redeliver(d.id)} aria-label={`Redeliver ${d.id}`}>
                    Redeliver
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}
