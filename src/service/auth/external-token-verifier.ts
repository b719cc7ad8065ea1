import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import type { Principal } from '../../domain/request-context.ts';
import { parseScopeString } from '../../domain/scopes.ts';
import { invalidToken, verifying } from './jwt-verification.ts';

/** A trusted external issuer (e.g. the customer's IdP), verified through its JWKS URL. */
export interface ExternalIssuer {
  issuer: string;
  jwksUrl: string;
  tenantClaim: string;
  audience?: string;
}

/**
 * Verifies tokens of a trusted external issuer against its published keys: the tenant comes from
 * the configured claim, the scopes from `scope`/`scp`, and `system` is never granted from outside.
 */
export class ExternalTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly external: ExternalIssuer,
    private readonly clock: Clock,
  ) {
    this.keys = createRemoteJWKSet(new URL(external.jwksUrl));
  }

  /** The issuer whose tokens this verifies. */
  get issuer(): string {
    return this.external.issuer;
  }

  /** Who the token speaks for, or 401 `invalid_token`. */
  async verify(token: string): Promise<Principal> {
    const external = this.external;
    const payload = await verifying(() =>
      jwtVerify(token, this.keys, {
        issuer: external.issuer,
        currentDate: this.clock.now(),
        // A token that never expires is refused from any issuer.
        requiredClaims: ['exp'],
        ...(external.audience ? { audience: external.audience } : {}),
      }),
    );
    const tenantId = payload[external.tenantClaim];
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw invalidToken(`The access token has no '${external.tenantClaim}' claim naming the tenant.`);
    }
    const scopeClaim = payload.scope ?? payload.scp;
    // `system` (every tenant's administration) is pconn's own: an external issuer, whose tokens
    // are bound to one tenant, cannot grant it.
    const scopes = (
      Array.isArray(scopeClaim) ? scopeClaim.map(String) : parseScopeString(String(scopeClaim ?? ''))
    ).filter((scope) => scope !== 'system');
    const clientId = String(payload.client_id ?? payload.azp ?? payload.sub ?? 'external');
    return { tenantId, clientId, scopes: new Set(scopes), issuer: external.issuer };
  }
}
