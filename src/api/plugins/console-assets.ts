import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PconnError } from '../../domain/pconn-error.ts';

/**
 * The console page's own policy (docs/console.md): scripts, styles and connections from pconn's
 * origin only — no inline script or style, so an injected tag cannot run — and never framed
 * (clickjacking). The console calls nothing but pconn's own API.
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface Asset {
  bytes: Buffer;
  type: string;
  etag: string;
  /** Hashed file names never change content: cached for a year. */
  immutable: boolean;
}

/** Every file of the built console, read once (it is small) and kept in memory. */
function readAssets(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = relative(dir, join(dir, name)).split(sep).join('/');
    if (path.startsWith('.') || !statSync(join(dir, name)).isFile()) continue;
    const bytes = readFileSync(join(dir, name));
    assets.set(path, {
      bytes,
      type: TYPES[extname(path)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
      immutable: path.startsWith('assets/'),
    });
  }
  return assets;
}

/**
 * Serves the built web console (bin/build-console.js → dist/console) at /console, same origin as
 * the API: files by path, and index.html for every other path below /console (the console
 * routes in the browser with the history API). Public and unaudited like /docs: the files hold
 * no tenant data, and every request the console makes is an audited API request.
 */
export function registerConsoleAssets(app: FastifyInstance, dir: string): void {
  let assets = readAssets(dir);
  const send = (request: FastifyRequest, reply: FastifyReply, path: string) => {
    // Built after this node started (`npm run build` beside a running dev server): look again.
    assets ??= readAssets(dir);
    const asset = assets?.get(path) ?? (path.startsWith('assets/') ? undefined : assets?.get('index.html'));
    if (!asset)
      throw new PconnError(
        'not_found',
        assets
          ? `The console has no file ${path}.`
          : 'The console is not built on this node: `npm start` (or `npm run build`) builds it.',
      );
    reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('etag', asset.etag)
      .type(asset.type);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.bytes);
  };
  const options = { config: { scope: null, audit: false }, schema: { hide: true } };
  app.get('/console', options, (request, reply) => send(request, reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/*', options, (request, reply) =>
    send(request, reply, request.params['*'] || 'index.html'),
  );
}
