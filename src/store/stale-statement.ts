/**
 * Why running a prepared statement failed, when preparing it anew and running it once more can
 * succeed (both stores' statement caches: pglite-statements.ts, pg-named-statements.ts): the
 * session no longer has it (26000: `DEALLOCATE`, `DISCARD ALL`, a pooler that moved the session),
 * or a schema change made its cached plan unusable (0A000 "cached plan must not change result
 * type", after DDL on a table it reads, e.g. another node's migration) — the session still has
 * that one, so it must be dropped before it is prepared again.
 */
export function staleStatement(error: unknown): 'missing' | 'plan' | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '26000') return 'missing';
  if (code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change'))
    return 'plan';
  return undefined;
}
