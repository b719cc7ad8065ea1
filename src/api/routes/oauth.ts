import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError as OAuthErrorSchema, TokenResponse } from '../../contract/tenancy.ts';
import { PconnError } from '../../domain/pconn-error.ts';
import { SCOPES } from '../../domain/scopes.ts';
import type { SigningKeyRing } from '../../service/auth/signing-keys.ts';
import { OAuthError, type TokenService } from '../../service/auth/token-service.ts';
import { registerFormParser } from '../plugins/body-parsers.ts';
import { ProblemRef } from '../route-schema.ts';

const STATUS: Record<OAuthError['error'], number> = {
  invalid_client: 401,
  invalid_scope: 400,
  unsupported_grant_type: 400,
  invalid_request: 400,
};

/**
 * The OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4) with client authentication
 * by HTTP Basic or form fields, plus JWKS and RFC 8414 metadata. Errors here follow RFC 6749
 * §5.2 rather than problem+json, because OAuth client libraries expect that shape.
 */
export function registerOAuthRoutes(
  app: FastifyInstance,
  deps: { tokens: TokenService; keys: SigningKeyRing; publicUrl: string },
): void {
  app.register(async (scope) => {
    // Only forms are parsed here; any other body reaches the handler unparsed, so that it is
    // refused in the RFC 6749 shape (readForm) rather than as problem+json by the JSON parser.
    scope.removeAllContentTypeParsers();
    registerFormParser(scope);
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, undefined));
    scope.setErrorHandler(async (error: FastifyError, request, reply) => {
      // Fastify's own client errors (body size, length) are OAuth errors too; ours go up.
      if (error instanceof PconnError || !error.statusCode || error.statusCode >= 500) throw error;
      return sendOAuthError(
        request,
        reply,
        new OAuthError('invalid_request', error.message),
        error.statusCode,
      );
    });
    scope.post(
      '/oauth/token',
      {
        config: { scope: null },
        schema: {
          operationId: 'createToken',
          summary: 'Get an access token (client credentials grant)',
          tags: ['OAuth'],
          security: [],
          consumes: ['application/x-www-form-urlencoded'],
          description:
            'Failed client authentications are budgeted per source address (10 at once, then one ' +
            'every 2 s): past that the address gets 429 `rate_limited` (problem+json, Retry-After) ' +
            'before any secret is checked. A secret that authenticated within the token lifetime is ' +
            'recognised without the slow hash, so such a flood never delays a client that renews.',
          response: {
            200: TokenResponse,
            400: OAuthErrorSchema,
            401: OAuthErrorSchema,
            429: {
              description: 'Too many failed client authentications from this address (Retry-After)',
              content: { 'application/problem+json': { schema: ProblemRef } },
            },
          },
        },
      },
      async (request, reply) => {
        try {
          const form = readForm(request);
          const { clientId, clientSecret } = clientCredentials(request, form);
          if (form.grant_type !== 'client_credentials') {
            throw new OAuthError(
              form.grant_type ? 'unsupported_grant_type' : 'invalid_request',
              form.grant_type
                ? `grant_type '${form.grant_type}' is not supported; use client_credentials.`
                : 'grant_type is required (client_credentials).',
            );
          }
          const token = await deps.tokens.issue(clientId, clientSecret, form.scope, request.ip);
          return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          return sendOAuthError(request, reply, error);
        }
      },
    );
  });

  app.get(
    '/.well-known/jwks.json',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'getJwks',
        summary: 'Public keys that verify pconn access tokens',
        tags: ['OAuth'],
        security: [],
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: deps.keys.publicKeys() };
    },
  );

  app.get(
    '/.well-known/oauth-authorization-server',
    {
      config: { scope: null, audit: false },
      schema: {
        operationId: 'getOAuthMetadata',
        summary: 'RFC 8414 authorization server metadata',
        tags: ['OAuth'],
        security: [],
      },
    },
    async () => ({
      issuer: deps.publicUrl,
      token_endpoint: `${deps.publicUrl}/oauth/token`,
      jwks_uri: `${deps.publicUrl}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [...SCOPES],
      // No authorization endpoint: no response_type (the implicit grant's 'token' included) exists.
      response_types_supported: [],
    }),
  );
}

function readForm(request: FastifyRequest): Record<string, string | undefined> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(
      'invalid_request',
      'Send the token request as application/x-www-form-urlencoded (RFC 6749 §4.4.2).',
    );
  }
  // RFC 6749 §3.2: parameters must not be sent more than once (the parser keeps only the last).
  const names = [...new URLSearchParams(request.rawBody ?? '').keys()];
  const repeated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
  if (repeated.length > 0) {
    throw new OAuthError('invalid_request', `Parameters sent more than once: ${repeated.join(', ')}.`);
  }
  return (request.body ?? {}) as Record<string, string | undefined>;
}

function clientCredentials(
  request: FastifyRequest,
  form: Record<string, string | undefined>,
): { clientId: string; clientSecret: string } {
  // The auth scheme is case-insensitive (RFC 9110 §11.1).
  const basic = /^Basic\s+(\S*)\s*$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    if (form.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Authenticate with HTTP Basic or with form fields, not both.');
    }
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.');
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    const clientId = safeDecode(decoded.slice(0, colon));
    if (form.client_id !== undefined && form.client_id !== clientId) {
      throw new OAuthError('invalid_request', 'The client_id field names another client than HTTP Basic.');
    }
    return { clientId, clientSecret: safeDecode(decoded.slice(colon + 1)) };
  }
  if (!form.client_id || !form.client_secret) {
    throw new OAuthError(
      'invalid_client',
      'Client authentication is required: HTTP Basic, or client_id and client_secret form fields.',
    );
  }
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function sendOAuthError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OAuthError,
  status: number = STATUS[error.error],
): FastifyReply {
  request.problemCode = error.error;
  if (status === 401) reply.header('www-authenticate', 'Basic realm="pconn"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error: error.error, error_description: error.description });
}
