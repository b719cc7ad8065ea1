import { useEffect, useState } from 'preact/hooks';

/** Where the console is served; every route lives below it (history API, SPA fallback). */
export const BASE = '/console';

/** The console path of the current location: `/`, `/campaigns/cmp_1` … */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return path === '' ? '/' : path;
}

/** Goes to a console path without reloading the page. */
export function navigate(path: string, replace = false): void {
  const url = `${BASE}${path === '/' ? '/' : path}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('pconn:navigate'));
}

/** The current console path, re-rendering on navigation and on back/forward. */
export function useRoute(): { path: string; query: URLSearchParams } {
  const [state, setState] = useState(() => ({
    path: currentPath(),
    query: new URLSearchParams(location.search),
  }));
  useEffect(() => {
    const update = () => setState({ path: currentPath(), query: new URLSearchParams(location.search) });
    window.addEventListener('popstate', update);
    window.addEventListener('pconn:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('pconn:navigate', update);
    };
  }, []);
  return state;
}
