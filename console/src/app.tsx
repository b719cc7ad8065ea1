import type { ConsoleSignedIn } from 'pconn/sdk';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api.ts';
import { Link } from './components/link.tsx';
import { ProblemBox } from './components/problem.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CallsPage } from './pages/calls.tsx';
import { CampaignsPage } from './pages/campaigns.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { DeskPage } from './pages/desk.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { homeOf, PAGES, pageOf } from './roles.ts';
import { navigate, useRoute } from './router.ts';

/** The console: sign-in until there is a session, then the role's pages. */
export function App() {
  const [me, setMe] = useState<ConsoleSignedIn | undefined | 'loading'>('loading');
  const [failure, setFailure] = useState<unknown>();
  const route = useRoute();

  useEffect(() => {
    session.resume().then(
      (signedIn) => setMe(signedIn),
      (error: unknown) => {
        setFailure(error);
        setMe(undefined);
      },
    );
    const ended = () => setMe(undefined);
    window.addEventListener('pconn:signed-out', ended);
    return () => window.removeEventListener('pconn:signed-out', ended);
  }, []);

  // After an in-console navigation, focus moves to the new page's heading, as a page load would
  // put it at the top: keyboard and screen-reader users land on what they opened.
  const [firstRender, setFirstRender] = useState(true);
  useEffect(() => {
    if (firstRender) {
      setFirstRender(false);
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [route.path]);

  useEffect(() => {
    const page = pageOf(route.path);
    document.title = `${me && me !== 'loading' ? (page?.label ?? 'Not found') : 'Sign in'} · pconn console`;
  }, [route.path, me]);

  if (me === 'loading') return <p class="loading">Loading…</p>;
  if (!me)
    return (
      <>
        <ProblemBox error={failure} />
        <SignInPage
          onSignedIn={(signedIn) => {
            setMe(signedIn);
            const page = pageOf(route.path);
            if (!page?.roles.includes(signedIn.user.role) || route.path === '/sign-in')
              navigate(homeOf(signedIn.user.role), true);
          }}
        />
      </>
    );

  const role = me.user.role;
  const page = pageOf(route.path);
  const signOut = async () => {
    try {
      await session.signOut();
    } finally {
      setMe(undefined);
      navigate('/sign-in', true);
    }
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">pconn</span>
        <nav aria-label="Console">
          <ul>
            {PAGES.filter((p) => p.roles.includes(role)).map((p) => (
              <li key={p.path}>
                <Link to={p.path} current={page?.path === p.path}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="me">
          <span>
            {me.user.name} <span class="role">({role})</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {!page ? (
          <section>
            <h1>Not found</h1>
            <p>There is no console page at this address.</p>
          </section>
        ) : !page.roles.includes(role) ? (
          <section>
            <h1>Not allowed</h1>
            <p role="alert" class="problem">
              Your role ({role}) cannot open {page.label}.{' '}
              <Link to={homeOf(role)}>Go to your start page</Link>.
            </p>
          </section>
        ) : (
          <Page path={route.path} query={route.query} me={me} />
        )}
      </main>
    </>
  );
}

function Page(props: { path: string; query: URLSearchParams; me: ConsoleSignedIn }) {
  const [, first, id] = props.path.split('/');
  switch (first) {
    case '':
      return <DashboardPage />;
    case 'campaigns':
      return <CampaignsPage id={id} />;
    case 'calls':
      return <CallsPage id={id} query={props.query} />;
    case 'audit':
      return <AuditPage query={props.query} />;
    case 'desk':
      return <DeskPage me={props.me} />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'settings':
      return <SettingsPage me={props.me} />;
    default:
      return null;
  }
}
