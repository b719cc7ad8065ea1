/** PostgreSQL's oid of `text`, the element type written into the array's header. */
const TEXT_OID = 25;

/**
 * A `text[]` parameter in PostgreSQL's binary array format (what `array_recv` reads: dimensions,
 * a null flag, the element type, then each element's length and UTF-8 bytes). Both stores bind
 * it as it is — `pg` sends a Buffer in binary format, and so does the embedded store's statement
 * runner (pglite-statements.ts) — so the server copies each element and checks its encoding,
 * with no quoting to write or parse. Batches use it for their documents (a timeline entry's
 * `data`): inside one jsonb parameter every document was parsed into jsonb first, and the
 * timeline entries' insert took 932 ms of the embedded store's thread per 4,000 calls under
 * `sip_cps_ratio` against 561 ms now (docs/performance.md, session 25).
 */
export function textArray(values: readonly (string | null)[]): Buffer {
  const texts = values.map((value) => (value === null ? null : Buffer.from(value, 'utf8')));
  const dimensions = values.length === 0 ? 0 : 1;
  const size = 12 + dimensions * 8 + texts.reduce((sum, text) => sum + 4 + (text?.length ?? 0), 0);
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt32BE(dimensions, 0);
  at = out.writeInt32BE(texts.includes(null) ? 1 : 0, at);
  at = out.writeInt32BE(TEXT_OID, at);
  if (dimensions === 1) {
    at = out.writeInt32BE(values.length, at);
    at = out.writeInt32BE(1, at); // lower bound
  }
  for (const text of texts) {
    at = out.writeInt32BE(text === null ? -1 : text.length, at);
    if (text !== null) at += text.copy(out, at);
  }
  return out;
}
