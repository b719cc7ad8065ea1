// Prompts: WAV uploads stored once at 8 kHz 16-bit mono, served back, refused clearly otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readWav } from '../../src/media/wav-reader.ts';
import { writeWav } from '../../src/media/wav-writer.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Prompt = {
  id: string;
  name: string | null;
  durationMs: number;
  format: { sampleRate: number };
  source: { encoding: string; sampleRate: number; bytes: number; sha256: string };
  links: { audio: string };
};
type Problem = { code: string; detail: string; reason?: string; formatTag?: number };

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off', PCONN_PROMPT_MAX_BYTES: '400000' } });
});
after(() => server.close());

/** `seconds` of a `hz` sine at `rate`, amplitude 8000. */
function tone(hz: number, seconds: number, rate: number): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * rate) }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

function upload(id: string, body: Uint8Array | string, contentType = 'audio/wav', query = '') {
  return server.request<Prompt & Problem>('PUT', `/v1/prompts/${id}${query}`, {
    rawBody: typeof body === 'string' ? body : Buffer.from(body),
    headers: { 'content-type': contentType },
  });
}

/** Correlation of two equal-rate signals over their common length (1 = the same shape). */
function correlation(a: Int16Array, b: Int16Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('prompts', () => {
  test('a 44.1 kHz PCM WAV is stored once at 8 kHz and served back as the same sound', async () => {
    const file = writeWav(tone(440, 1.5, 44_100), 44_100, 'pcm16');
    const put = await upload('abandon-en', file, 'audio/wav', '?name=Abandon%20message');
    assert.equal(put.status, 201, put.text);
    assert.equal(put.headers.get('location'), '/v1/prompts/abandon-en');
    assert.equal(put.body.durationMs, 1500);
    assert.equal(put.body.name, 'Abandon message');
    assert.equal(put.body.format.sampleRate, 8000);
    assert.deepEqual(
      {
        encoding: put.body.source.encoding,
        sampleRate: put.body.source.sampleRate,
        bytes: put.body.source.bytes,
      },
      { encoding: 'pcm16', sampleRate: 44_100, bytes: file.length },
    );
    const audio = await fetch(`${server.url}${put.body.links.audio}`, {
      headers: { authorization: `Bearer ${await server.adminToken()}` },
    });
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/wav');
    const played = readWav(new Uint8Array(await audio.arrayBuffer()));
    assert.equal(played.sampleRate, 8000);
    assert.equal(played.samples.length, 12_000);
    const r = correlation(played.samples.subarray(400, 11_600), tone(440, 1.5, 8000).subarray(400, 11_600));
    assert.ok(r > 0.99, `the stored audio is the uploaded tone (correlation ${r.toFixed(4)})`);
  });

  test('the same file again changes nothing; a µ-law WAV replaces it (200)', async () => {
    const file = writeWav(tone(300, 1, 8000), 8000, 'pcm16');
    assert.equal((await upload('machine-msg', file)).status, 201);
    const again = await upload('machine-msg', file);
    assert.equal(again.status, 200, again.text);
    const first = await server.request<Prompt>('GET', '/v1/prompts/machine-msg');
    const mulaw = await upload('machine-msg', writeWav(tone(300, 2, 8000), 8000, 'mulaw'), 'audio/x-wav');
    assert.equal(mulaw.status, 200, mulaw.text);
    assert.equal(mulaw.body.source.encoding, 'mulaw');
    assert.equal(mulaw.body.durationMs, 2000);
    assert.notEqual(mulaw.body.source.sha256, first.body.source.sha256);
  });

  test('files pconn cannot play are 422 unsupported_audio naming what was found', async () => {
    const mp3InWav = writeWav(tone(300, 1, 8000), 8000, 'pcm16');
    new DataView(mp3InWav.buffer).setUint16(20, 85, true); // the fmt chunk's format tag
    const mp3 = await upload('bad-1', mp3InWav);
    assert.equal(mp3.status, 422, mp3.text);
    assert.equal(mp3.body.code, 'unsupported_audio');
    assert.match(mp3.body.detail, /MPEG Layer 3/);
    const id3 = await upload(
      'bad-2',
      new TextEncoder().encode('ID3\u0004\u0000\u0000garbage that is an mp3'),
    );
    assert.equal(id3.status, 422, id3.text);
    assert.match(id3.body.detail, /MP3/);
    const short = await upload('bad-3', writeWav(tone(300, 0.05, 8000), 8000, 'pcm16'));
    assert.equal(short.status, 422, short.text);
    assert.match(short.body.detail, /at least 100 ms/);
    assert.equal((await server.request('GET', '/v1/prompts/bad-1')).status, 404, 'nothing was stored');
  });

  test('another media type is 415 naming audio/wav; a body over the limit is 413', async () => {
    const json = await server.request<Problem>('PUT', '/v1/prompts/json', { body: { audio: 'x' } });
    assert.equal(json.status, 415, json.text);
    assert.match(json.body.detail, /audio\/wav/);
    const text = await upload('text', 'hello', 'text/plain');
    assert.equal(text.status, 415, text.text);
    assert.match(text.body.detail, /audio\/wav/);
    const big = await upload('big', writeWav(tone(300, 30, 8000), 8000, 'pcm16'));
    assert.equal(big.status, 413, big.text);
    assert.equal(big.body.code, 'payload_too_large');
  });

  test('list, scopes and delete', async () => {
    for (const id of ['list-a', 'list-b', 'list-c'])
      assert.equal((await upload(id, writeWav(tone(500, 0.2, 8000), 8000, 'alaw'))).status, 201);
    const page = await server.request<{ data: Prompt[]; nextCursor: string | null }>(
      'GET',
      '/v1/prompts?limit=2',
    );
    assert.equal(page.body.data.length, 2);
    assert.ok(page.body.nextCursor, 'a second page');
    const rest = await server.request<{ data: Prompt[] }>(
      'GET',
      `/v1/prompts?limit=200&cursor=${page.body.nextCursor}`,
    );
    const ids = [...page.body.data, ...rest.body.data].map((p) => p.id);
    assert.deepEqual(
      ids.filter((id) => id.startsWith('list-')),
      ['list-a', 'list-b', 'list-c'],
    );
    const reader = await server.tokenWithScopes(['campaigns:read']);
    const refused = await server.request<Problem>('DELETE', '/v1/prompts/list-a', { token: reader });
    assert.equal(refused.status, 403, refused.text);
    assert.equal((await server.request('DELETE', '/v1/prompts/list-a')).status, 204);
    assert.equal((await server.request('GET', '/v1/prompts/list-a')).status, 404);
    assert.equal((await server.request('DELETE', '/v1/prompts/list-a')).status, 404);
  });
});
