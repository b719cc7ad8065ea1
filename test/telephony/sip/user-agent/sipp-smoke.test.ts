import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { skipWithoutSipp } from '../../../e2e/support/sipp.ts';
import { portBound } from '../../../support/port-bound.ts';
import { waitFor } from '../../../support/wait-for.ts';

const skip = skipWithoutSipp();

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return port;
}

const OFFER =
  'v=0\r\no=pconn 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

describe('smoke: SipUserAgent calls `sipp -sn uas`', { skip }, () => {
  let ua: SipUserAgent;
  before(async () => {
    ua = await SipUserAgent.start({ listen: { host: '127.0.0.1', port: 0 } });
  });
  after(async () => ua.close());

  for (const transport of ['udp', 'tcp'] as const) {
    test(`${transport}: INVITE → 180 → 200 → ACK → BYE → 200; sipp counts one successful call`, async () => {
      const port = await freeUdpPort();
      const args = [
        '-sn',
        'uas',
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        '1',
        '-nostdin',
        '-timeout',
        '20',
      ];
      if (transport === 'tcp') args.push('-t', 't1');
      const sipp = spawn('sipp', args, { stdio: 'ignore' });
      const exited = once(sipp, 'exit') as Promise<[number | null]>;
      try {
        await waitFor(() => portBound(port, transport) !== false || sipp.exitCode !== null, {
          timeout: 10_000,
          what: `sipp to bind ${transport} port ${port}`,
        });
        const suffix = transport === 'tcp' ? ';transport=tcp' : '';
        const call = ua.invite({ target: `sip:service@127.0.0.1:${port}${suffix}`, sdp: OFFER });
        const statuses: number[] = [];
        call.on('provisional', (p) => statuses.push(p.status));
        const result = await call.result;
        assert.ok(
          result.kind === 'answered',
          `sipp answered: ${JSON.stringify(result.kind === 'failed' && result.status)}`,
        );
        assert.ok(statuses.includes(180));
        assert.match(result.sdp ?? '', /m=audio/);
        await new Promise((r) => setTimeout(r, 100));
        await result.dialog.bye();
        const [code] = await exited;
        assert.equal(code, 0, 'sipp exits 0 when its one call succeeded');
      } finally {
        if (sipp.exitCode === null) sipp.kill();
      }
    });
  }
});

describe('smoke: `sipp -sn uac` calls a SipUserAgent', { skip }, () => {
  test('sipp INVITE → our 180/200 → its ACK → its BYE → our 200', async () => {
    const ended: string[] = [];
    let acked = false;
    const ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      onInvite: (invite) => {
        invite.progress(180);
        const dialog = invite.accept({ sdp: OFFER });
        dialog.onAck(() => {
          acked = true;
        });
        dialog.onEnded((end) => ended.push(end.by));
      },
    });
    try {
      const port = await freeUdpPort();
      const sipp = spawn(
        'sipp',
        [
          '-sn',
          'uac',
          `127.0.0.1:${ua.address.udpPort}`,
          '-i',
          '127.0.0.1',
          '-p',
          String(port),
          '-m',
          '1',
          '-nostdin',
          '-timeout',
          '20',
        ],
        { stdio: 'ignore' },
      );
      const [code] = (await once(sipp, 'exit')) as [number | null];
      assert.equal(code, 0, 'sipp saw a complete call');
      assert.ok(acked, 'the ACK reached the dialog');
      assert.deepEqual(ended, ['remote']);
      assert.equal(ua.stats.dialogs, 0);
    } finally {
      await ua.close();
    }
  });
});
