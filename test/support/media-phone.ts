import type { G711Codec } from '../../src/media/g711.ts';
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
 * A phone for driving the SIP driver's media paths with real sockets: our own SIP user agent
 * answering every INVITE at once, and an RtpPeer on 127.0.0.1 as its media. It answers like a
 * carrier or a softphone does in flow IV: an INVITE without SDP gets its offer in the 200 (its
 * RTP address, PCMU/PCMA and telephone-event), the ACK's answer says where to send; an offer
 * gets its answer; an offerless re-INVITE gets a fresh offer, a re-INVITE with an offer an
 * answer. `remote` is always where the latest description says its RTP should go.
 */
export interface MediaPhoneOptions {
  /** The codec the phone prefers (first in its offer). */
  codec?: G711Codec;
  /** Replaces the phone's offer (e.g. one without G.711). */
  offer?: (peer: RtpPeer) => string;
  /** Milliseconds between the INVITE and the 200 (default at once). */
  answerAfterMs?: number;
  /** Answer every re-INVITE with 488 (a phone that cannot take the new media). */
  refuseReinvites?: boolean;
}

/** The phone. */
export class MediaPhone {
  /** Where our RTP should go, from the latest SDP the driver sent. */
  remote: PeerAddress | undefined;
  readonly dialogs: Dialog[] = [];
  /** Re-INVITEs received, with or without an offer. */
  readonly reinvites: Array<{ offer: boolean }> = [];
  /** ACK bodies received. */
  readonly acks: Array<string | undefined> = [];
  private version = 1;

  private constructor(
    readonly ua: SipUserAgent,
    readonly peer: RtpPeer,
    private readonly options: MediaPhoneOptions,
  ) {}

  /** Starts a phone on 127.0.0.1 (any SIP port). */
  static async start(options: MediaPhoneOptions = {}): Promise<MediaPhone> {
    const peer = await RtpPeer.open(options.codec ?? 'PCMU');
    let phone: MediaPhone | undefined;
    const ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      transports: ['udp'],
      timers: { t1: 20 },
      onInvite: (invite) => {
        const answer = () => {
          const sdp = phone?.respond(invite.sdp);
          if (sdp === null) return invite.reject(488, 'Not Acceptable Here');
          const dialog = invite.accept({ sdp });
          phone?.watch(dialog);
        };
        if (!options.answerAfterMs) return answer();
        invite.progress(180);
        const timer = setTimeout(answer, options.answerAfterMs);
        invite.onCancel(() => clearTimeout(timer));
      },
    });
    phone = new MediaPhone(ua, peer, options);
    return phone;
  }

  /** The phone's SIP URI. */
  get uri(): string {
    return `sip:phone@127.0.0.1:${this.ua.address.udpPort}`;
  }

  /** The latest dialog. */
  get dialog(): Dialog | undefined {
    return this.dialogs.at(-1);
  }

  /** Sends `pcm` to where the driver said, one packet every `frameMs` (default real time). */
  async say(pcm: Int16Array, frameMs = 20): Promise<void> {
    // The driver reports `answered` as it sends the ACK that says where to send: wait for it.
    for (let waited = 0; !this.remote && waited < 2000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const to = this.remote;
    if (!to) throw new Error('the phone has no media address to send to');
    await this.peer.sendAudio(pcm, to, undefined, frameMs);
  }

  /** Hangs up the latest dialog. */
  async hangup(): Promise<void> {
    await this.dialog?.bye();
  }

  async close(): Promise<void> {
    await this.ua.close();
    await this.peer.close();
  }

  private watch(dialog: Dialog): void {
    this.dialogs.push(dialog);
    dialog.onAck((sdp) => {
      this.acks.push(sdp);
      if (sdp !== undefined) this.take(sdp, 'answer');
    });
    dialog.onReinvite((offer) => {
      this.reinvites.push({ offer: offer !== undefined });
      return this.options.refuseReinvites ? null : this.respond(offer);
    });
  }

  /** Our SDP for a request carrying `offer` (an answer) or none (an offer); null = refuse. */
  private respond(offer: string | undefined): string | null {
    const local = { address: '127.0.0.1', port: this.peer.address.port, codecs: this.codecs() };
    if (offer === undefined) return this.options.offer?.(this.peer) ?? this.stamp(audioOffer(local));
    const parsed = parseSdp(offer);
    const result = parsed && audioAnswer(parsed, local);
    if (!result) return null;
    // An offer to 0.0.0.0 is a hold (RFC 3264 §8.4): nowhere to send.
    const held = result.audio.address === '0.0.0.0';
    this.remote = held ? undefined : { address: result.audio.address, port: result.audio.port };
    return this.stamp(result.answer);
  }

  private take(sdp: string, kind: 'answer'): void {
    const parsed = parseSdp(sdp);
    const local = { address: '127.0.0.1', port: this.peer.address.port, codecs: this.codecs() };
    const audio = parsed && kind === 'answer' ? readAudioAnswer(parsed, local) : undefined;
    // A black-hole answer (0.0.0.0 or port 9, inactive) parks the phone: nowhere to send.
    if (audio && audio.address !== '0.0.0.0') this.remote = { address: audio.address, port: audio.port };
    else this.remote = undefined;
  }

  private codecs(): G711Codec[] {
    return this.peer.codec === 'PCMU' ? ['PCMU', 'PCMA'] : ['PCMA', 'PCMU'];
  }

  private stamp(description: NonNullable<ReturnType<typeof parseSdp>>): string {
    this.version++;
    return serializeSdp({
      ...description,
      origin: { ...description.origin, username: 'phone', sessionId: '42', version: String(this.version) },
    });
  }
}
