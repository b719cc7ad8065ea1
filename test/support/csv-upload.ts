import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A contacts CSV of `rows` rows (`<prefix>-<n>,Contact <n>,+1415…`), generated as it is read and
 * never held whole, in chunks of 1,000 rows; `onChunk` sees each chunk's size as it is sent.
 */
export function generatedContactsCsv(
  rows: number,
  prefix: string,
  onChunk?: (bytes: number) => void,
): Readable {
  return Readable.from(
    (function* generate() {
      yield 'externalId,name,mobile\n';
      for (let i = 0; i < rows; i += 1000) {
        let chunk = '';
        for (let j = i; j < Math.min(rows, i + 1000); j++)
          chunk += `${prefix}-${j},Contact ${j},+1415${String(2000000 + j).padStart(7, '0')}\n`;
        onChunk?.(chunk.length);
        yield chunk;
      }
    })(),
  );
}

/** Streams `source` to POST /v1/contacts/import as text/csv; the answer's status and body. */
export function uploadContactsCsv(
  baseUrl: string,
  token: string,
  source: Readable,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}/v1/contacts/import`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    source.pipe(req);
  });
}
