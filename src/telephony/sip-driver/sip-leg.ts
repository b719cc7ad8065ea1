import type { LegEvent, LegHandle, LegRequest } from '../../domain/telephony.ts';
import { blackHoleAnswer, parseSdp, SdpSession } from '../sip/sdp/index.ts';
import type { Dialog, FailureInfo, OutgoingInvite, SipUserAgent } from '../sip/user-agent/index.ts';
import type { AnchoredMedia } from './anchored-media.ts';
import type { LegRoute } from './leg-route.ts';

/** Why we ended a leg ourselves, which decides the `by` of its ended event. */
type LocalEnd = 'timeout' | 'local';
/** Who ended a leg, as the port reports it. */
type EndedBy = Extract<LegEvent, { type: 'ended' }>['by'];

/**
 * One party of a call, driven over one INVITE dialog. It never answers SDP on its own except
 * for the agent's first offer (the black hole of RFC 3725 §4.4 flow IV); the contact's 2xx
 * offer stays un-ACKed until {@link bridgeLegs} has the agent's answer. Emits each LegEvent
 * once, `ended` last.
 */
export class SipLeg implements LegHandle {
  readonly legId: string;
  /** Our SDP session towards this peer (one o= line, rising versions). */
  readonly sdp: SdpSession;
  state: 'routing' | 'inviting' | 'answered' | 'ended' = 'routing';
  dialog?: Dialog;
  /** SDP of the peer's 2xx: its offer (we sent none) or its answer to our offer. */
  remoteSdp?: string;
  /** True when our initial INVITE carried an offer (trunk option offerInInitialInvite). */
  offered = false;
  private invite?: OutgoingInvite;
  private localEnd?: LocalEnd;
  private ringTimer?: NodeJS.Timeout;
  private ringing = false;
  private releaseSlot?: () => void;
  /**
   * An anchored leg's media (LegRequest.anchor): opened before the INVITE when it carries our
   * offer, else when the contact's 2xx offer arrives; freed by the bridge or the end.
   */
  media?: AnchoredMedia;
  /** Opens the anchored media on the driver's RTP endpoint (set by the driver). */
  openMedia?: () => Promise<AnchoredMedia>;

  /**
   * `giveUpMs`: how long after the ring timeout a leg whose INVITE transaction never ended is
   * ended anyway (the UA's Timer B, 64·T1, plus a margin): a backstop so that no call can stay
   * in dialing forever, whatever the network or the stack does.
   */
  constructor(
    readonly request: LegRequest,
    private readonly onEvent: (event: LegEvent) => void,
    mediaAddress: string,
    private readonly giveUpMs: number,
  ) {
    this.legId = request.legId;
    this.sdp = new SdpSession(mediaAddress);
    // The ring timeout runs from the dial (routing and trunk queueing included).
    this.ringTimer = setTimeout(() => this.ringTimeout(), request.ringTimeoutSeconds * 1000);
  }

  /** True once routing or queueing should stop (the leg was hung up or timed out). */
  get abandoned(): boolean {
    return this.state === 'ended' || this.localEnd !== undefined;
  }

  /** Sends the INVITE along `route`; `offer` is our initial SDP offer, if any. */
  start(ua: SipUserAgent, route: LegRoute, offer: string | undefined, release?: () => void): void {
    this.releaseSlot = release;
    if (this.abandoned) {
      this.end(this.localEnd === 'timeout' ? 408 : 487, 'Ended before dialling', this.localEnd ?? 'local');
      return;
    }
    this.state = 'inviting';
    this.offered = offer !== undefined;
    this.invite = ua.invite({
      target: route.target,
      from: { uri: route.from },
      ...(offer !== undefined ? { sdp: offer } : {}),
      ...(route.credentials ? { credentials: route.credentials } : {}),
      deferAck: true,
    });
    this.invite.on('provisional', (info) => {
      if (this.state !== 'inviting') return;
      if (info.status === 100) this.onEvent({ type: 'trying' });
      else if (!this.ringing) {
        this.ringing = true;
        this.onEvent({ type: 'ringing' });
      }
    });
    this.invite.on('answered', (dialog, sdp) => this.answered(dialog, sdp));
    this.invite.on('failed', (failure) => this.failed(failure));
  }

  /** Ends the leg before it was dialled (no route, trunk limits). */
  unroutable(status: number, reason: string): void {
    this.end(status, reason, 'remote');
  }

  /** CANCEL while ringing, BYE once answered (RFC 3261 §9.1, §15.1.1); idempotent. */
  async hangup(): Promise<void> {
    if (this.state === 'ended' || this.localEnd) return;
    this.localEnd = 'local';
    if (this.state === 'routing') return this.end(487, 'Request Terminated', 'local');
    if (this.state === 'inviting') return this.invite?.cancel();
    await this.bye(200, 'BYE', 'local');
  }

  /** Ends an answered leg with BYE (after ACKing a pending 2xx), reporting `status`/`reason`. */
  async bye(status: number, reason: string, by: EndedBy): Promise<void> {
    const dialog = this.dialog;
    if (dialog?.ackPending) this.ackBlackHole(dialog);
    this.end(status, reason, by);
    if (dialog && dialog.state !== 'terminated') await dialog.bye().catch(() => undefined);
  }

  private answered(dialog: Dialog, sdp: string | undefined): void {
    this.dialog = dialog;
    this.remoteSdp = sdp;
    if (this.state === 'ended' || this.localEnd) {
      // A 2xx that crossed our CANCEL: confirm and end it at once (RFC 3261 §15).
      void this.bye(
        this.localEnd === 'timeout' ? 408 : 487,
        'Answered after cancel',
        this.localEnd ?? 'local',
      );
      return;
    }
    this.state = 'answered';
    clearTimeout(this.ringTimer);
    dialog.onEnded((end) => {
      if (end.by === 'remote') this.end(200, 'BYE', 'remote');
      else if (end.status !== undefined && end.status !== 200 && this.state !== 'ended')
        this.end(end.status, end.reason ?? 'Dialog failed', 'network');
    });
    if (this.request.anchor && !this.isAgent) {
      void this.anchor(dialog, sdp);
      return;
    }
    // Flow IV step 3: park the agent on a black hole until the contact's SDP arrives. The
    // contact's offer stays un-ACKed for bridgeLegs (step 8 ACKs it with the agent's answer).
    if (!this.offered && this.isAgent) this.ackBlackHole(dialog);
    this.onEvent({ type: 'answered' });
  }

  /**
   * An anchored contact answered: pconn answers its offer itself (RFC 3264 §6, in the ACK as
   * RFC 3261 §13.2.2.4 asks of an offer in a 2xx), or takes its answer to our initial offer,
   * then reports `answered` and starts listening. An offer without G.711 still gets a valid
   * answer in the ACK (the black hole: every stream inactive), then BYE: 488 Not Acceptable Here.
   */
  private async anchor(dialog: Dialog, sdp: string | undefined): Promise<void> {
    let media = this.media;
    if (!media) {
      try {
        media = await this.openMedia?.();
      } catch (error) {
        return this.bye(503, `no RTP port pair for the anchored media: ${String(error)}`, 'network');
      }
      if (!media) return this.bye(500, 'no RTP endpoint to anchor the media', 'network');
      if (this.state === 'ended') {
        media.finish();
        return;
      }
      this.media = media;
    }
    if (this.offered) {
      if (!media.accept(sdp))
        return this.bye(488, 'Not Acceptable Here: the answer has no PCMU/PCMA audio', 'network');
    } else {
      const answer = media.answer(sdp);
      if (!answer) return this.bye(488, 'Not Acceptable Here: the offer has no PCMU/PCMA audio', 'network');
      dialog.ack(this.sdp.stamp(answer));
    }
    if (this.state !== 'answered') return;
    media.start();
    this.onEvent({ type: 'answered' });
  }

  /** True for the agent's leg (`<call>/<attempt>/agent`). */
  get isAgent(): boolean {
    return this.legId.endsWith('/agent');
  }

  /** ACKs a pending 2xx offer with the black-hole answer (RFC 3725 §4.4, RFC 3264 §8.4). */
  ackBlackHole(dialog: Dialog): void {
    const offer = this.remoteSdp ? parseSdp(this.remoteSdp) : undefined;
    dialog.ack(offer ? this.sdp.stamp(blackHoleAnswer(offer)) : undefined);
  }

  private failed(failure: FailureInfo): void {
    // Timer B or a transport error: no answer from the network at all (RFC 3261 §8.1.3.1).
    if (failure.timeout || failure.transportError) this.end(failure.status, failure.reason, 'network');
    else if (this.localEnd === 'timeout')
      this.end(failure.status, `${failure.reason} (ring timeout)`, 'timeout');
    else this.end(failure.status, failure.reason, this.localEnd ?? 'remote');
  }

  private ringTimeout(): void {
    if (this.state === 'answered' || this.state === 'ended' || this.localEnd) return;
    this.localEnd = 'timeout';
    if (this.state === 'routing') this.end(408, 'Ring timeout', 'timeout');
    // RFC 3261 §9.1: the UA sends CANCEL once a provisional arrived; a peer that never sent
    // one ends by Timer B instead (network_error, not a stuck call).
    else this.invite?.cancel('ring timeout');
    this.ringTimer = setTimeout(() => {
      if (this.state !== 'answered') this.end(408, 'No final response after CANCEL', 'network');
    }, this.giveUpMs);
  }

  private end(status: number, reason: string, by: EndedBy): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    clearTimeout(this.ringTimer);
    this.releaseSlot?.();
    // Whatever ended the leg, its RTP ports are freed here; the figures go with the event.
    const media = this.media?.finish();
    this.onEvent({ type: 'ended', status, reason, by, ...(media ? { media } : {}) });
  }
}
