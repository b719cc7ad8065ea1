import {
  audioAnswer,
  audioOffer,
  parseSdp,
  readAudioAnswer,
  serializeSdp,
} from '../../src/telephony/sip/sdp/index.ts';
import { type Dialog, SipUserAgent } from '../../src/telephony/sip/user-agent/index.ts';
import { type PeerAddress, RtpPeer } from './rtp-peer.ts';

/**
 * Many phones behind one SIP address, as a trunk is: each INVITE is answered (or not) as
 * `behaviour` says for the number dialled, and each answered call gets its own RtpPeer on
 * 127.0.0.1, so what every call heard and where its media was pointed can be told apart. Media
 * negotiation is the MediaPhone's (flow IV: an offerless INVITE gets our offer in the 200, the
 * ACK's answer says where to send; re-INVITEs are answered). Each call keeps the history of
 * where its RTP was pointed, with instants, so tests can tell when it was bridged and to whom.
 */
export type Behaviour = { kind: 'answer'; afterMs?: number } | { kind: 'busy' } | { kind: 'no_answer' };

/** One call the crowd took. */
export interface CrowdCall {
  number: string;
  peer?: RtpPeer;
  dialog?: Dialog;
  /** Where our RTP should go, from the latest SDP; undefined when parked or held. */
  remote?: PeerAddress;
  /** Every change of `remote` (performance.now instants). */
  remotes: Array<{ at: number; remote: PeerAddress | undefined }>;
  /** Re-INVITEs received. */
  reinvites: number;
  answeredAt?: number;
  endedAt?: number;
}

export class PhoneCrowd {
  readonly calls: CrowdCall[] = [];
  private readonly waiters = new Set<(call: CrowdCall) => void>();
  private version = 1;

  private constructor(readonly ua: SipUserAgent) {}

  static async start(behaviour: (number: string) => Behaviour): Promise<PhoneCrowd> {
    let crowd: PhoneCrowd | undefined;
    const ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: { t1: 20 },
      onInvite: (invite) => {
        const number = /^sips?:([^@;>]+)/.exec(invite.message.uri)?.[1] ?? invite.message.uri;
        const call: CrowdCall = { number, remotes: [], reinvites: 0 };
        crowd?.calls.push(call);
        const plan = behaviour(number);
        if (plan.kind === 'busy') return invite.reject(486, 'Busy Here');
        invite.progress(180);
        if (plan.kind === 'no_answer') return;
        const answer = async () => {
          call.peer = await RtpPeer.open('PCMU');
          const sdp = crowd?.respond(call, invite.sdp);
          if (!sdp) return invite.reject(488, 'Not Acceptable Here');
          const dialog = invite.accept({ sdp });
          call.dialog = dialog;
          call.answeredAt = performance.now();
          dialog.onAck((answerSdp) => {
            if (answerSdp !== undefined) crowd?.take(call, answerSdp);
          });
          dialog.onReinvite((offer) => {
            call.reinvites++;
            return crowd?.respond(call, offer) ?? null;
          });
          dialog.onEnded(() => {
            call.endedAt = performance.now();
          });
          for (const waiter of crowd?.waiters ?? []) waiter(call);
        };
        let canceled = false;
        invite.onCancel(() => {
          canceled = true;
        });
        setTimeout(() => {
          if (!canceled) void answer();
        }, plan.afterMs ?? 0);
      },
    });
    crowd = new PhoneCrowd(ua);
    return crowd;
  }

  /** The crowd's SIP URI. */
  get uri(): string {
    return `sip:phone@127.0.0.1:${this.ua.address.udpPort}`;
  }

  /** Calls `listener` with each call the moment it is answered. */
  onAnswered(listener: (call: CrowdCall) => void): void {
    this.waiters.add(listener);
  }

  async close(): Promise<void> {
    await this.ua.close();
    await Promise.all(this.calls.map((call) => call.peer?.close()));
  }

  private point(call: CrowdCall, remote: PeerAddress | undefined): void {
    call.remote = remote;
    call.remotes.push({ at: performance.now(), remote });
  }

  private respond(call: CrowdCall, offer: string | undefined): string | null {
    const peer = call.peer as RtpPeer;
    const local = { address: '127.0.0.1', port: peer.address.port, codecs: ['PCMU', 'PCMA'] as const };
    if (offer === undefined) return this.stamp(audioOffer({ ...local, codecs: [...local.codecs] }));
    const parsed = parseSdp(offer);
    const result = parsed && audioAnswer(parsed, { ...local, codecs: [...local.codecs] });
    if (!result) return null;
    // An offer to 0.0.0.0 is a hold (RFC 3264 §8.4): nowhere to send.
    const held = result.audio.address === '0.0.0.0';
    this.point(call, held ? undefined : { address: result.audio.address, port: result.audio.port });
    return this.stamp(result.answer);
  }

  private take(call: CrowdCall, sdp: string): void {
    const peer = call.peer as RtpPeer;
    const parsed = parseSdp(sdp);
    const local = {
      address: '127.0.0.1',
      port: peer.address.port,
      codecs: ['PCMU', 'PCMA'] as ('PCMU' | 'PCMA')[],
    };
    const audio = parsed ? readAudioAnswer(parsed, local) : undefined;
    this.point(
      call,
      audio && audio.address !== '0.0.0.0' ? { address: audio.address, port: audio.port } : undefined,
    );
  }

  private stamp(description: NonNullable<ReturnType<typeof parseSdp>>): string {
    this.version++;
    return serializeSdp({
      ...description,
      origin: { ...description.origin, username: 'phone', sessionId: '42', version: String(this.version) },
    });
  }
}
