import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { type Sipp, type SippOptions, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/**
 * The sipp scenarios that stand for pconn's peers must take a copy of pconn's INVITE (its Timer
 * A resend, RFC 3261 17.1.1.2) as the retransmission it is, also once their 200 is out. sipp's
 * own check knows only the message received just before its last send, which after the 200 is
 * no longer the INVITE: the copy then aborted the call (the 20 % loss test in sip-calls.test.ts
 * failed CI once so). Here a plain UDP socket plays pconn and sends the copies at the moments
 * that matter, so the behaviour is checked on every run instead of by chance.
 */
const skip = skipWithoutSipp();

/** One UDP endpoint playing pconn's side of a dialog, on 127.0.0.1. */
class Uac {
  readonly #socket: Socket = createSocket('udp4');
  readonly #received: { text: string; port: number }[] = [];
  #wake?: () => void;
  port = 0;

  async open(): Promise<void> {
    this.#socket.on('message', (message, from) => {
      this.#received.push({ text: message.toString('utf8'), port: from.port });
      this.#wake?.();
    });
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
  }

  send(text: string, port: number): void {
    this.#socket.send(text.replaceAll('\n', '\r\n'), port, '127.0.0.1');
  }

  /**
   * The next message from `sipp` whose first line starts with `start`; the ones before it are
   * dropped, and so are late ones from an earlier test's sipp.
   */
  async next(sipp: Sipp, start: string, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const message = this.#received.shift();
      if (message && message.port === sipp.port && message.text.startsWith(start)) return message.text;
      if (message !== undefined) continue;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${start}" within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#socket.close();
  }
}

const header = (message: string, name: string) =>
  message.match(new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'im'))?.[1] ?? assert.fail(`no ${name} in ${message}`);

const sdp = (address: string) =>
  `v=0\no=pconn 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 ${address}\nt=0 0\nm=audio 40000 RTP/AVP 0\n`;
const SDP = sdp('127.0.0.1');
/** What pconn offers an agent first (RFC 3725 flow I): no media until the contact answers. */
const BLACK_HOLE = sdp('0.0.0.0');

function request(
  method: string,
  uac: Uac,
  sipp: Sipp,
  fields: { cseq: number; branch: string; to?: string; body?: string },
): string {
  const body = fields.body?.replaceAll('\n', '\r\n') ?? '';
  return [
    `${method} sip:peer@127.0.0.1:${sipp.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bK${fields.branch};rport`,
    'Max-Forwards: 70',
    'From: <sip:+14155550100@127.0.0.1>;tag=uac1',
    `To: ${fields.to ?? `<sip:peer@127.0.0.1:${sipp.port}>`}`,
    `Call-ID: resent-invite-${uac.port}`,
    `CSeq: ${fields.cseq} ${method}`,
    `Contact: <sip:127.0.0.1:${uac.port}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    fields.body ?? '',
  ].join('\n');
}

/** The 200 to a request sipp sent (its BYE). */
function okTo(message: string): string {
  return [
    'SIP/2.0 200 OK',
    ...['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((name) => `${name}: ${header(message, name)}`),
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

describe('sipp peers take a copy of the INVITE for a retransmission', { skip }, () => {
  let uac: Uac;
  before(async () => {
    uac = new Uac();
    await uac.open();
  });
  after(() => uac?.close());

  /**
   * Sends the INVITE, a copy while the peer rings (when it has one), and a copy once the 200 is
   * out (each with `inviteBody`); then ACKs the 200 that follows with `ackBody`. Answers the
   * 200's To header.
   */
  async function inviteWithCopies(
    sipp: Sipp,
    rings: boolean,
    ackBody = SDP,
    inviteBody = SDP,
  ): Promise<string> {
    const invite = request('INVITE', uac, sipp, { cseq: 1, branch: 'inv1', body: inviteBody });
    uac.send(invite, sipp.port);
    await uac.next(sipp, 'SIP/2.0 180');
    if (rings) {
      uac.send(invite, sipp.port);
      await uac.next(sipp, 'SIP/2.0 180');
    }
    await uac.next(sipp, 'SIP/2.0 200');
    uac.send(invite, sipp.port);
    // The copy is absorbed: what comes next is the 200's own retransmission.
    const ok = await uac.next(sipp, 'SIP/2.0 200');
    const to = header(ok, 'To');
    uac.send(request('ACK', uac, sipp, { cseq: 1, branch: 'ack1', to, body: ackBody }), sipp.port);
    return to;
  }

  async function passed(sipp: Sipp): Promise<void> {
    assert.equal(await sippResult(sipp), 0, `sipp failed the call:\n${sipp.errors()}`);
  }

  /** Runs `dialog` against a sipp started with `options`, and stops sipp whatever happens. */
  async function withSipp(options: SippOptions, dialog: (sipp: Sipp) => Promise<void>): Promise<void> {
    const sipp = await startSipp(options);
    try {
      await dialog(sipp);
    } finally {
      await sipp.stop();
    }
  }

  /** A contact's whole call: answered despite the copies, then its BYE answered. */
  async function contactHangsUp(sipp: Sipp, rings: boolean): Promise<void> {
    await inviteWithCopies(sipp, rings);
    uac.send(okTo(await uac.next(sipp, 'BYE')), sipp.port);
    await passed(sipp);
  }

  test('the e2e contact that rings, then hangs up', () =>
    withSipp({ scenario: 'contact-rings-then-hangs-up.xml' }, (sipp) => contactHangsUp(sipp, true)));

  test("the benches' contact that holds", () =>
    withSipp({ scenario: '../../../bench/scenarios/contact-holds-resent-invite.xml', pauseMs: 0 }, (sipp) =>
      contactHangsUp(sipp, false),
    ));

  test("the benches' agent, bridged by a re-INVITE", () =>
    withSipp({ scenario: '../../../bench/scenarios/agent-answers-resent-invite.xml' }, async (sipp) => {
      const to = await inviteWithCopies(sipp, false, BLACK_HOLE);
      uac.send(request('INVITE', uac, sipp, { cseq: 2, branch: 'inv2', to, body: SDP }), sipp.port);
      await uac.next(sipp, 'SIP/2.0 200');
      uac.send(request('ACK', uac, sipp, { cseq: 2, branch: 'ack2', to }), sipp.port);
      uac.send(request('BYE', uac, sipp, { cseq: 3, branch: 'bye3', to }), sipp.port);
      await uac.next(sipp, 'SIP/2.0 200');
      await passed(sipp);
    }));

  // The rest of the e2e peers, up to the point that matters: once the 200 is out, a copy of the
  // INVITE is absorbed and the 200 retransmitted until the ACK (an aborted call would go quiet).
  for (const scenario of [
    'agent-answers.xml',
    'agent-hangs-up.xml',
    'agent-released.xml',
    'agent-session.xml',
    'contact-anchored.xml',
    'contact-answers-offer.xml',
    'contact-answers.xml',
    'contact-hangs-up.xml',
    'contact-holds.xml',
  ])
    test(`the e2e peer ${scenario}, up to its ACK`, () =>
      withSipp({ scenario }, async (sipp) => {
        // An agent is offered pconn's black hole in the ACK; a session's agent no SDP at first.
        const agent = scenario.startsWith('agent');
        await inviteWithCopies(
          sipp,
          false,
          agent ? BLACK_HOLE : SDP,
          scenario === 'agent-session.xml' ? '' : SDP,
        );
        assert.equal(sipp.errors(), '', 'sipp logged no error');
      }));

  // A peer that refuses: its final response is retransmitted until the ACK, which for a
  // non-2xx response belongs to the INVITE's own transaction (its branch, RFC 3261 17.1.1.3).
  for (const [scenario, status] of [
    ['rejects-404.xml', 404],
    ['rejects-486.xml', 486],
    ['rejects-603.xml', 603],
  ] as const)
    test(`the e2e peer ${scenario}, refusing with ${status}`, () =>
      withSipp({ scenario }, async (sipp) => {
        const invite = request('INVITE', uac, sipp, { cseq: 1, branch: 'inv1', body: SDP });
        uac.send(invite, sipp.port);
        await uac.next(sipp, 'SIP/2.0 180');
        await uac.next(sipp, `SIP/2.0 ${status}`);
        uac.send(invite, sipp.port);
        const refusal = await uac.next(sipp, `SIP/2.0 ${status}`);
        const to = header(refusal, 'To');
        uac.send(request('ACK', uac, sipp, { cseq: 1, branch: 'inv1', to }), sipp.port);
        await passed(sipp);
      }));
});
