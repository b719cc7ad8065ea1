import type { FastifyReply, FastifyRequest } from 'fastify';

/** The console session cookie's name; `__Host-` when served over HTTPS (RFC 6265bis §4.1.3.2). */
const PLAIN_NAME = 'pconn_console';
const HOST_NAME = '__Host-pconn_console';

/** True when the request reached pconn over HTTPS (directly or through a trusted proxy). */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/**
 * The console session secret from the Cookie header (RFC 6265 §5.4: `name=value` pairs joined
 * by "; "). Only the cookie name this connection would set is read, so a plain-HTTP cookie
 * planted by a network attacker is never taken over HTTPS.
 */
export function consoleCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const name = isHttps(request) ? HOST_NAME : PLAIN_NAME;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    // Our secrets are base64url: anything else is not one of ours.
    return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Sets the session cookie: HttpOnly (scripts never read it), SameSite=Strict (no other site's
 * page sends it), Path=/console (only the session endpoints see it), Secure on HTTPS.
 */
export function setConsoleCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  maxAgeSeconds: number,
): void {
  reply.header('set-cookie', cookieText(request, secret, maxAgeSeconds));
}

/** Clears the session cookie (sign-out). */
export function clearConsoleCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookieText(request, '', 0));
}

function cookieText(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const https = isHttps(request);
  // __Host- cookies must be Secure with Path=/ (RFC 6265bis); plain ones are kept to /console.
  const parts = [
    `${https ? HOST_NAME : PLAIN_NAME}=${value}`,
    `Path=${https ? '/' : '/console'}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (https) parts.push('Secure');
  return parts.join('; ');
}
