import type { ConsoleSignedIn } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { session } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ProblemBox } from '../components/problem.tsx';

/** Sign-in: user, password and (for multi-tenant servers) the tenant. */
export function SignInPage(props: { onSignedIn: (signedIn: ConsoleSignedIn) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const signedIn = await session.signIn({ user, password, ...(tenant ? { tenant } : {}) });
      setPassword('');
      props.onSignedIn(signedIn);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to pconn</h1>
      <form onSubmit={submit} aria-describedby="sign-in-error">
        <Field id="user" label="User" value={user} onInput={setUser} required autocomplete="username" />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autocomplete="current-password"
        />
        <Field
          id="tenant"
          label="Tenant (leave empty for default)"
          value={tenant}
          onInput={setTenant}
          autocomplete="organization"
        />
        <div id="sign-in-error">
          <ProblemBox error={error} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
