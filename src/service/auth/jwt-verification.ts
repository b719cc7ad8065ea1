import { type JWTPayload, errors as joseErrors } from 'jose';
import { AuthError } from '../../domain/pconn-error.ts';

/** Runs a jose verification and turns its failures into 401 `invalid_token` with a useful detail. */
export async function verifying(run: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await run()).payload;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw invalidToken('The access token has expired: request a new one.');
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw invalidToken('The access token signature does not verify.');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.reason === 'missing') {
        const why = error.claim === 'exp' ? ': pconn accepts only tokens that expire' : '';
        throw invalidToken(`The access token has no '${error.claim}' claim${why}.`);
      }
      throw invalidToken(`The access token's '${error.claim}' claim is not acceptable: ${error.reason}.`);
    }
    throw invalidToken('The access token could not be verified.');
  }
}

/** 401 `invalid_token` with `detail`. */
export function invalidToken(detail: string): AuthError {
  return new AuthError('invalid_token', detail);
}
