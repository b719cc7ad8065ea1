/**
 * A statement the session no longer has (26000), or whose cached plan a schema change made
 * unusable ("cached plan must not change result type", 0A000, after DDL on a table it reads,
 * e.g. another node's migration): the caller drops it and prepares it again, once.
 */
export function isStaleStatement(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === '26000' ||
    (code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change'))
  );
}
