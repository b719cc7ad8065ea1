import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getTopVia } from '../../../../src/telephony/sip/message/typed-headers.ts';
import type { IncomingRequest } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { skipWithout } from '../../../e2e/support/required-tool.ts';

/*
 * SIP over TLS (RFC 3261 §26.2): a user agent listening on tls:// answers an OPTIONS sent by
 * another over TLS with a self-signed certificate made here by the openssl CLI (valid two days,
 * for 127.0.0.1 and localhost), refuses a peer whose certificate it cannot verify, and drops a
 * plain-TCP client of its TLS port without a SIP answer while it keeps serving TLS.
 */

const skip = skipWithout('openssl', 'openssl');

/** A self-signed certificate and key for 127.0.0.1/localhost, PEM. */
function selfSigned(dir: string): { cert: string; key: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
  };
}

describe('SIP over TLS', { skip }, () => {
  let dir: string;
  let server: SipUserAgent;
  let client: SipUserAgent;
  let untrusting: SipUserAgent;
  const requests: IncomingRequest[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pconn-sip-tls-'));
    const pem = selfSigned(dir);
    server = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['tls'],
      tls: pem,
      timers: { t1: 100 },
      onRequest: (request) => {
        requests.push(request);
        request.respond(200);
      },
    });
    // The client trusts the server's self-signed certificate as its CA.
    client = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['tls'],
      tls: { ...pem, ca: pem.cert },
      timers: { t1: 100 },
    });
    // This one trusts only Node's public roots: the self-signed certificate must fail.
    untrusting = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['tls'],
      tls: pem,
      timers: { t1: 100 },
    });
  });
  after(async () => {
    await Promise.all([server?.close(), client?.close(), untrusting?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('an OPTIONS over TLS to a sips: URI is answered; Via says TLS, Contact is sips:', async () => {
    const port = server.address.tlsPort!;
    assert.ok(port > 0, 'the TLS listener has a port');
    const result = await client.request({ method: 'OPTIONS', target: `sips:pconn@127.0.0.1:${port}` });
    assert.equal(result.status, 200, JSON.stringify({ status: result.status, reason: result.reason }));
    const request = requests.at(-1)!;
    assert.equal(request.source.transport, 'tls');
    assert.equal(getTopVia(request.message.headers)?.transport, 'TLS');
    assert.match(client.contact('tls'), /^<sips:127\.0\.0\.1:\d+>$/);
  });

  test('a peer whose certificate cannot be verified is not sent the request', async () => {
    const before = requests.length;
    const result = await untrusting.request({
      method: 'OPTIONS',
      target: `sips:pconn@127.0.0.1:${server.address.tlsPort}`,
    });
    assert.equal(result.transportError, true, `a transport error, got ${result.status} ${result.reason}`);
    assert.equal(requests.length, before, 'nothing reached the server');
  });

  test('plain TCP to the TLS port is closed without a SIP answer; TLS still works after', async () => {
    const port = server.address.tlsPort!;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.write(
      `OPTIONS sip:pconn@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKplain\r\n` +
        'From: <sip:a@x>;tag=1\r\nTo: <sip:pconn@127.0.0.1>\r\nCall-ID: plain@x\r\nCSeq: 1 OPTIONS\r\n' +
        'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    );
    await once(socket, 'close');
    assert.ok(
      !Buffer.concat(received).toString('latin1').includes('SIP/2.0'),
      'no SIP response over the plain connection',
    );
    const result = await client.request({ method: 'OPTIONS', target: `sips:pconn@127.0.0.1:${port}` });
    assert.equal(result.status, 200, 'the TLS listener still serves');
  });
});
