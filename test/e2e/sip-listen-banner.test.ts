import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

/*
 * `npm start` with the SIP driver tells where softphones go: the start-up banner names the SIP
 * socket and an account line, and the log has a `SIP listening` entry. The printed address is
 * checked for real with an OPTIONS request.
 */

test('start-up banner and log name the SIP listen address, and it answers there', {
  timeout: 120_000,
}, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pconn-sip-banner-'));
  const child = spawn('node', ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PCONN_DATA_DIR: join(dataDir, 'data'),
      PORT: '0',
      PCONN_LOG_LEVEL: 'info',
      PCONN_TELEPHONY: 'sip',
      PCONN_SIP_LISTEN: 'udp://0.0.0.0:0',
      PCONN_SIP_KEEPALIVE_SECONDS: '0',
      PCONN_DIALER: 'off',
      PCONN_BOOTSTRAP_CLIENT_ID: '',
      PCONN_BOOTSTRAP_CLIENT_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The banner is one write, ending with the token curl.
      if (/pconn listening on[\s\S]*\/oauth\/token\n/.test(stdout)) resolve(stdout);
    });
    child.once('exit', (code) =>
      reject(new Error(`exited ${code} before the banner:\n${stdout}\n${stderr}`)),
    );
  });
  // Bound to every interface (the default): the banner says so, then lists each address.
  const line = /SIP \(udp\) listening on 0\.0\.0\.0:(\d+); softphones register at: (.*)/.exec(banner);
  assert.ok(line, banner);
  const port = Number(line[1]);
  assert.ok(port > 0, 'the OS-chosen port, not 0');
  const reachableAt = line[2]?.split(', ') ?? [];
  assert.equal(reachableAt.at(-1), `127.0.0.1:${port}`, 'loopback listed, last');
  assert.ok(banner.includes(`account: sip:USERNAME@${reachableAt[0]}, realm "pconn", digest MD5`), banner);
  const logged = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; sip?: { bound?: string; reachableAt?: string[] } })
    .find((entry) => entry.msg === 'SIP listening');
  assert.equal(logged?.sip?.bound, `0.0.0.0:${port}`, stdout);
  assert.deepEqual(logged?.sip?.reachableAt, reachableAt, stdout);

  const socket = createSocket('udp4');
  t.after(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const local = socket.address().port;
  const options = [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-banner-1`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1:${local}>;tag=banner`,
    `To: <sip:127.0.0.1:${port}>`,
    'Call-ID: banner-probe@127.0.0.1',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const reply = once(socket, 'message');
  socket.send(options, port, '127.0.0.1');
  const [data] = (await reply) as [Buffer];
  assert.match(data.toString('utf8'), /^SIP\/2\.0 200 /);
});
