import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { SipUserAgent } from '../../src/telephony/sip/user-agent/index.ts';
import type { ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import { startSipServer } from '../e2e/support/pconn-sip.ts';
import { skipWithout } from '../e2e/support/required-tool.ts';

/*
 * PCONN_SIP_LISTEN=tls://… end to end: the settings load, a pconn node listens for SIP over
 * TLS with the certificate files they name (a self-signed one made here by the openssl CLI,
 * valid two days) and answers an OPTIONS sent over TLS; tls:// without certificate files is a
 * configuration error naming the settings.
 */

const skip = skipWithout('openssl', 'openssl');

test('tls:// needs certificate and key files, and PCONN_SIP_TLS_VERIFY is on or off', () => {
  const base = { PCONN_TELEPHONY: 'sip', PCONN_SIP_LISTEN: 'tls://0.0.0.0:5061' };
  assert.throws(
    () => loadConfig(base),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, 'a ConfigError');
      assert.match(error.message, /PCONN_SIP_TLS_CERT_FILE and PCONN_SIP_TLS_KEY_FILE/);
      return true;
    },
  );
  const files = { ...base, PCONN_SIP_TLS_CERT_FILE: '/c.pem', PCONN_SIP_TLS_KEY_FILE: '/k.pem' };
  assert.deepEqual(loadConfig(files).sip.tls, { certFile: '/c.pem', keyFile: '/k.pem', verifyPeer: true });
  assert.equal(loadConfig(files).sip.listen.transport, 'tls');
  assert.throws(() => loadConfig({ ...files, PCONN_SIP_TLS_VERIFY: 'maybe' }), /PCONN_SIP_TLS_VERIFY/);
  assert.equal(loadConfig({ ...files, PCONN_SIP_TLS_VERIFY: 'off' }).sip.tls?.verifyPeer, false);
});

test('a node on tls:// answers OPTIONS over TLS', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pconn-driver-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
      .concat(['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'])
      .concat(['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']),
    { stdio: 'ignore' },
  );
  const server = await startSipServer({
    PCONN_SIP_LISTEN: 'tls://127.0.0.1:0',
    PCONN_SIP_TLS_CERT_FILE: cert,
    PCONN_SIP_TLS_KEY_FILE: key,
  });
  const phone = await SipUserAgent.start({
    listen: { host: '127.0.0.1', port: 0 },
    transports: ['tls'],
    tls: { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(cert) },
    timers: { t1: 100 },
  });
  try {
    const driver = server.pconn.driver as ThreadedSipDriver;
    assert.equal(driver.listenInfo().transport, 'tls');
    const { port } = driver.address;
    const result = await phone.request({ method: 'OPTIONS', target: `sips:pconn@127.0.0.1:${port}` });
    assert.equal(result.status, 200, `${result.status} ${result.reason}`);
  } finally {
    await phone.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
