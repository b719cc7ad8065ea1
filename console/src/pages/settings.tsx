import type { ConsoleSignedIn, User } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { fieldErrors, ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';
import { firstItems, useLoad } from '../components/use-load.ts';

/** Settings (admin): users with roles and passwords, OAuth clients, caller ids, trunks. */
export function SettingsPage(_props: { me: ConsoleSignedIn }) {
  return (
    <section>
      <h1>Settings</h1>
      <Users />
      <Clients />
      <CallerIds />
      <Trunks />
    </section>
  );
}

function Users() {
  const users = useLoad(() => firstItems(client.users.list(), 500));
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [device, setDevice] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState('');
  const errors = fieldErrors(error);
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setMessage('');
    try {
      const deviceValue = device
        ? device.startsWith('sip')
          ? { type: 'sip' as const, uri: device }
          : { type: 'phone' as const, number: device }
        : undefined;
      await client.users.put(id, {
        name,
        role: role as User['role'],
        ...(deviceValue ? { device: deviceValue } : {}),
      });
      if (password) await client.users.setPassword(id, password);
      setPassword('');
      setMessage(`User ${id} saved.`);
      users.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="settings-users">
      <h2 id="settings-users">Users</h2>
      <ProblemBox error={users.error} />
      <ScrollBox label="Users">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Console password</th>
            </tr>
          </thead>
          <tbody>
            {(users.value ?? []).map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.id}</th>
                <td>{u.name}</td>
                <td>{u.role}</td>
                <td>{u.status}</td>
                <td>{u.hasConsolePassword ? 'set' : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <h3>Add or change a user</h3>
      <form onSubmit={save}>
        <Field id="user-id" label="User id" value={id} onInput={setId} required />
        <Field
          id="user-name"
          label="Name"
          value={name}
          onInput={setName}
          required
          errors={errors.get('/name')}
        />
        <Field
          id="user-role"
          label="Role"
          value={role}
          onInput={setRole}
          options={['agent', 'supervisor', 'admin']}
          errors={errors.get('/role')}
        />
        <Field
          id="user-device"
          label="Device (sip:… URI or +E.164 number; agents need one)"
          value={device}
          onInput={setDevice}
          errors={[
            ...(errors.get('/device') ?? []),
            ...(errors.get('/device/uri') ?? []),
            ...(errors.get('/device/number') ?? []),
          ]}
        />
        <Field
          id="user-password"
          label="New console password (12–128 characters, optional)"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="new-password"
          errors={errors.get('/password')}
        />
        <ProblemBox error={error} />
        {message ? <p role="status">{message}</p> : null}
        <button type="submit">Save user</button>
      </form>
    </section>
  );
}

function Clients() {
  const clients = useLoad(() => firstItems(client.clients.list(), 200));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('calls:read');
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<unknown>();
  return (
    <section aria-labelledby="settings-clients">
      <h2 id="settings-clients">API clients</h2>
      <ProblemBox error={clients.error ?? error} />
      <ul>
        {(clients.value ?? []).map((c) => {
          const record = c as Record<string, unknown>;
          return (
            <li key={String(record.clientId)}>
              <code>{String(record.clientId)}</code> {String(record.name ?? '')} (
              {((record.scopes as string[]) ?? []).join(' ')})
              {record.revokedAt ? (
                ' — revoked'
              ) : (
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      await client.clients.revoke(String(record.clientId));
                      clients.reload();
                    } catch (failure) {
                      setError(failure);
                    }
                  }}
                >
                  Revoke {String(record.clientId)}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            const answer = await client.clients.create({
              name,
              scopes: scopes.split(/[\s,]+/).filter(Boolean),
            });
            setCreated(`${answer.clientId}: ${answer.clientSecret}`);
            clients.reload();
          } catch (failure) {
            setError(failure);
          }
        }}
      >
        <Field id="client-name" label="Client name" value={name} onInput={setName} required />
        <Field id="client-scopes" label="Scopes (space separated)" value={scopes} onInput={setScopes} />
        {created ? (
          <p role="status">
            Client secret (shown once): <code>{created}</code>
          </p>
        ) : null}
        <button type="submit">Create client</button>
      </form>
    </section>
  );
}

function CallerIds() {
  const list = useLoad(() => firstItems(client.callerIds.list(), 500));
  const [number, setNumber] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<unknown>();
  return (
    <section aria-labelledby="settings-caller-ids">
      <h2 id="settings-caller-ids">Caller ids</h2>
      <ProblemBox error={list.error ?? error} />
      <ul>
        {(list.value ?? []).map((c) => {
          const record = c as Record<string, unknown>;
          return (
            <li key={String(record.id ?? record.number)}>
              {String(record.number ?? record.id)} {record.verified ? '(verified)' : '(not verified)'}{' '}
              {String(record.label ?? '')}
            </li>
          );
        })}
      </ul>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            await client.callerIds.put(number, { verified: true, ...(label ? { label } : {}) } as never);
            list.reload();
          } catch (failure) {
            setError(failure);
          }
        }}
      >
        <Field id="caller-id-number" label="Number (E.164)" value={number} onInput={setNumber} required />
        <Field id="caller-id-label" label="Label" value={label} onInput={setLabel} />
        <button type="submit">Add verified caller id</button>
      </form>
    </section>
  );
}

function Trunks() {
  const list = useLoad(() => firstItems(client.trunks.list(), 200));
  const [id, setId] = useState('');
  const [uri, setUri] = useState('');
  const [error, setError] = useState<unknown>();
  const errors = fieldErrors(error);
  return (
    <section aria-labelledby="settings-trunks">
      <h2 id="settings-trunks">SIP trunks</h2>
      <ProblemBox error={list.error ?? error} />
      <ul>
        {(list.value ?? []).map((t) => {
          const record = t as Record<string, unknown>;
          return (
            <li key={String(record.id)}>
              <code>{String(record.id)}</code> {String(record.uri)} (max {String(record.maxConcurrent ?? '—')}
              , {String(record.cps ?? '—')} cps)
            </li>
          );
        })}
      </ul>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            await client.trunks.put(id, { uri } as never);
            list.reload();
          } catch (failure) {
            setError(failure);
          }
        }}
      >
        <Field id="trunk-id" label="Trunk id" value={id} onInput={setId} required />
        <Field
          id="trunk-uri"
          label="SIP URI"
          value={uri}
          onInput={setUri}
          required
          errors={errors.get('/uri')}
        />
        <button type="submit">Save trunk</button>
      </form>
    </section>
  );
}
