import { ConsoleSessionTokens, PconnClient } from 'pconn/sdk';

/**
 * The console's only way to pconn: the public SDK with tokens from the console session (an
 * HttpOnly cookie exchanged for short-lived bearer tokens), same origin as the page.
 */
export const session = new ConsoleSessionTokens({
  baseUrl: location.origin,
  onSessionEnded: () => window.dispatchEvent(new Event('pconn:signed-out')),
});

/** The typed API client every page uses. */
export const client = new PconnClient({ baseUrl: location.origin, tokens: session, maxRetries: 1 });
