import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LegEvent, LegHandle, LegRequest, TelephonyDriver } from '../domain/telephony.ts';
import { type PortRange, RtpEndpoint } from './rtp/index.ts';
import { DigestNonces } from './sip/auth/digest-nonce.ts';
import type { DigestAlgorithm } from './sip/auth/digest-response.ts';
import type { NonceLedger } from './sip/auth/nonce-ledger.ts';
import {
  type BindingChangeReport,
  BindingStore,
  type BindingsWritten,
  RegisterLockout,
  type RegisterRefusal,
  Registrar,
} from './sip/registrar/index.ts';
import { blackHoleOffer } from './sip/sdp/index.ts';
import {
  DEFAULT_SOURCE_RATE_LIMIT,
  type DroppedMessage,
  SipUserAgent,
  type SourceRateLimitOptions,
  type TransactionEvent,
} from './sip/user-agent/index.ts';
import { AnchoredMedia } from './sip-driver/anchored-media.ts';
import { bridgeAnchored } from './sip-driver/bridge-anchored.ts';
import { bridgeLegs, holdLeg } from './sip-driver/bridge-legs.ts';
import { type LegRoute, routeLeg } from './sip-driver/leg-route.ts';
import { type SipListenInfo, sipListenInfo } from './sip-driver/listen-addresses.ts';
import { RefusalLog, type RefusalReport } from './sip-driver/refusal-log.ts';
import { handleOutOfDialog } from './sip-driver/register-handler.ts';
import type { SipDirectory } from './sip-driver/sip-directory.ts';
import { SipLeg } from './sip-driver/sip-leg.ts';
import { type TrunkHealth, TrunkKeepalive } from './sip-driver/trunk-keepalive.ts';
import { TrunkLimiter } from './sip-driver/trunk-limiter.ts';

/** Settings of the SIP driver (from config.ts `sip`, plus the directory over the store). */
export interface SipDriverOptions {
  listen: { transport: 'udp' | 'tcp' | 'tls'; host: string; port: number };
  /** PEM files of SIP over TLS (with `listen.transport` `tls`), read at start. */
  tls?: { certFile: string; keyFile: string; caFile?: string; verifyPeer: boolean };
  /** Host[:port] written in Contact/Via and SDP origins when behind NAT. */
  publicAddress?: string;
  /** RFC 3261 T1 in ms (Timer B = 64·T1). */
  t1Ms: number;
  realm: string;
  /** Registrar nonce secret; random per process when absent. */
  nonceSecret?: string;
  /** Lifetime of a registrar nonce, seconds (a correct answer after it gets stale=true). */
  nonceTtlSeconds?: number;
  /**
   * Nonce-counts accepted by the registrar, shared by the nodes (pconn: a store table); in
   * this process's memory when absent (a captured header then replays on another node).
   */
  nonceLedger?: NonceLedger;
  /** Password-guessing brake: failures per user and per source host in a window, then a lockout. */
  registerLockout?: { maxFailures: number; windowSeconds: number; lockoutSeconds: number };
  /**
   * Anchored media (LegRequest.anchor): the RTP port range (default 20000–29999) and the
   * address written into SDP (default: the SIP media host, i.e. `publicAddress` or the
   * listen address).
   */
  rtp?: { ports?: PortRange; publicAddress?: string };
  /** Clock in ms for the registrar (nonces, bindings, lockouts); Date.now when absent. */
  now?: () => number;
  maxRegisterExpires: number;
  /** Registrar challenge algorithms, most preferred first (RFC 8760 §2.3). */
  digestAlgorithms: readonly DigestAlgorithm[];
  directory: SipDirectory;
  /** Unexpected errors (logged by the caller). */
  onError?: (error: unknown) => void;
  /** Every SIP transaction created, retransmitted or timed out (metrics). */
  onTransactionEvent?: (event: TransactionEvent) => void;
  /** Every SIP message dropped (unparseable, over the limits, over its source's rate, spoofed): metrics. */
  onDroppedMessage?: (dropped: DroppedMessage) => void;
  /** Token buckets for out-of-dialog requests; default DEFAULT_SOURCE_RATE_LIMIT (tests raise it). */
  requestRateLimit?: SourceRateLimitOptions;
  /** Seconds between OPTIONS probes of each trunk (RFC 3261 §11); 0 or absent: none. */
  keepaliveSeconds?: number;
  /** A trunk's reachability changed (its first probe included): logged by the caller. */
  onTrunkHealth?: (health: TrunkHealth) => void;
  /**
   * Refused REGISTERs (wrong password, unknown user, unsupported algorithm…), rate-limited:
   * each phone's refusal once per minute, 20 lines a minute at most, then one summary.
   */
  onRegisterRefused?: (report: RefusalReport) => void;
  /** Every refused REGISTER, not rate-limited (metrics count them). */
  onEveryRegisterRefusal?: (refusal: RegisterRefusal) => void;
  /** A softphone registered a new contact or removed one (refreshes are not reported). */
  onBindingChange?: (change: BindingChangeReport) => void;
  /**
   * Awaited for every accepted REGISTER (refreshes included) before its 200: pconn mirrors the
   * bindings, with the transport of the flow this node holds, so other nodes know who rings
   * the phone. The in-memory copy stays what this node dials from.
   */
  onBindingsWritten?: (written: BindingsWritten & { transport: 'udp' | 'tcp' | 'tls' }) => Promise<void>;
}

/**
 * The TelephonyDriver over pconn's own SIP user agent: third-party call control per RFC 3725
 * §4.4 flow IV (agent INVITEd without SDP and parked on a black hole, contact INVITEd, SDP
 * exchanged by re-INVITE and ACK), trunks with digest credentials and `maxConcurrent`/`cps`
 * limits, and a registrar for agents' softphones.
 */
export class SipDriver implements TelephonyDriver {
  readonly name = 'sip' as const;
  private readonly legs = new Map<string, SipLeg>();
  private readonly limiter = new TrunkLimiter();
  private readonly onError: (error: unknown) => void;
  private keepalive?: TrunkKeepalive;
  private refusals?: RefusalLog;
  /** The node's RTP endpoint: anchored legs' port pairs (binds nothing until a leg opens). */
  readonly media: RtpEndpoint;

  private constructor(
    private readonly ua: SipUserAgent,
    private readonly options: SipDriverOptions,
    /** Registrations of softphones (tenant/username → contacts), shared with the registrar. */
    readonly bindings: BindingStore,
  ) {
    this.onError = options.onError ?? (() => undefined);
    const listenHost = options.listen.host;
    const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
    this.media = new RtpEndpoint({
      ...(options.rtp?.ports ? { ports: options.rtp.ports } : {}),
      // A SIP socket bound to one address keeps media on it too; a wildcard SIP bind, all.
      bindAddress: wildcard ? '0.0.0.0' : listenHost,
      publicAddress: options.rtp?.publicAddress ?? this.mediaHost(),
    });
  }

  /** Binds the SIP socket and starts the registrar. */
  static async start(options: SipDriverOptions): Promise<SipDriver> {
    let driver: SipDriver | undefined;
    const now = options.now ?? Date.now;
    const bindings = new BindingStore(now);
    const onRegisterRefused = options.onRegisterRefused;
    const refusals = onRegisterRefused ? new RefusalLog({ report: onRegisterRefused, now }) : undefined;
    const lockout = options.registerLockout;
    const registrar = new Registrar({
      realm: options.realm,
      nonces: new DigestNonces({
        secret: options.nonceSecret ?? randomBytes(32),
        now,
        ...(options.nonceTtlSeconds ? { ttlSeconds: options.nonceTtlSeconds } : {}),
      }),
      ...(options.nonceLedger ? { ledger: options.nonceLedger } : {}),
      ...(lockout
        ? {
            lockout: new RegisterLockout({
              maxFailures: lockout.maxFailures,
              windowMs: lockout.windowSeconds * 1000,
              lockoutMs: lockout.lockoutSeconds * 1000,
              now,
            }),
          }
        : {}),
      bindings,
      accounts: (username) => options.directory.registeredAccounts(username),
      maxExpires: options.maxRegisterExpires,
      algorithms: options.digestAlgorithms,
      onRefused: (refusal) => {
        refusals?.record(refusal);
        options.onEveryRegisterRefusal?.(refusal);
      },
      ...(options.onBindingChange ? { onBindingChange: options.onBindingChange } : {}),
      ...(options.onBindingsWritten
        ? {
            onBindingsWritten: (written: BindingsWritten) =>
              options.onBindingsWritten?.({ ...written, transport: options.listen.transport }) ??
              Promise.resolve(),
          }
        : {}),
    });
    const contactHost = options.publicAddress?.replace(/:\d+$/, '');
    const tls = options.tls && {
      cert: readFileSync(options.tls.certFile),
      key: readFileSync(options.tls.keyFile),
      ...(options.tls.caFile ? { ca: readFileSync(options.tls.caFile) } : {}),
      verifyPeer: options.tls.verifyPeer,
    };
    const ua = await SipUserAgent.start({
      listen: { host: options.listen.host, port: options.listen.port },
      transports: [options.listen.transport],
      ...(tls ? { tls } : {}),
      timers: { t1: options.t1Ms },
      ...(contactHost ? { contactHost } : {}),
      onRequest: handleOutOfDialog(registrar, (error) => driver?.onError(error)),
      ...(options.onTransactionEvent ? { onTransactionEvent: options.onTransactionEvent } : {}),
      ...(options.onDroppedMessage ? { onDroppedMessage: options.onDroppedMessage } : {}),
      requestRateLimit: options.requestRateLimit ?? DEFAULT_SOURCE_RATE_LIMIT,
    });
    driver = new SipDriver(ua, options, bindings);
    if (refusals) driver.refusals = refusals;
    const trunks = options.directory.trunks?.bind(options.directory);
    if (options.keepaliveSeconds && trunks) {
      driver.keepalive = new TrunkKeepalive({
        request: (request) => ua.request(request),
        trunks,
        intervalMs: options.keepaliveSeconds * 1000,
        onChange: (health) => options.onTrunkHealth?.(health),
        onError: (error) => driver?.onError(error),
      });
      driver.keepalive.start();
    }
    return driver;
  }

  /** Where the SIP socket listens (port 0 at start → the OS-chosen port). */
  get address(): { host: string; port: number } {
    return { host: this.ua.address.host, port: this.ua.address.port };
  }

  /** The bound socket and the addresses softphones can be pointed at (start-up banner, log). */
  listenInfo(): SipListenInfo {
    // The configured host, not `address`: the user agent reports an interface address for a
    // wildcard bind (what it writes in Contact), and the banner must say all interfaces listen.
    const bound = { host: this.options.listen.host, port: this.address.port };
    return sipListenInfo(this.options.listen.transport, bound, this.options.publicAddress);
  }

  /** Reachability and round-trip time of each trunk, from the last OPTIONS probes. */
  trunkHealth(): TrunkHealth[] {
    return this.keepalive?.health() ?? [];
  }

  dial(request: LegRequest, onEvent: (event: LegEvent) => void): LegHandle {
    const leg = new SipLeg(
      request,
      (event) => {
        if (event.type === 'ended') this.legs.delete(request.legId);
        onEvent(event);
      },
      this.mediaHost(),
      // Timer B (64·T1) after the ring timeout, plus 2 s of margin.
      64 * this.options.t1Ms + 2000,
    );
    if (request.anchor)
      leg.openMedia = () =>
        AnchoredMedia.open(this.media, request.anchor?.answerDetection, (event) => {
          // Emitted from an RTP socket's callback: a listener's error must not escape there.
          try {
            onEvent(event);
          } catch (error) {
            this.onError(error);
          }
        });
    this.legs.set(request.legId, leg);
    void this.place(leg).catch((error: unknown) => {
      this.onError(error);
      leg.unroutable(500, 'Server Internal Error');
    });
    return leg;
  }

  async bridge(a: LegHandle, b: LegHandle): Promise<void> {
    const agent = this.legs.get(a.legId);
    const contact = this.legs.get(b.legId);
    if (!agent || !contact) throw new Error(`bridge: leg ${agent ? b.legId : a.legId} has ended`);
    if (contact.request.anchor) await bridgeAnchored(agent, contact);
    else await bridgeLegs(agent, contact);
  }

  async play(leg: LegHandle, audio: Int16Array): Promise<boolean> {
    const sipLeg = this.legs.get(leg.legId);
    if (!sipLeg?.request.anchor) throw new Error(`play: leg ${leg.legId} is not anchored`);
    const media = sipLeg.media;
    if (!media?.live) throw new Error(`play: leg ${leg.legId} is not answered`);
    return media.play(audio);
  }

  async hold(leg: LegHandle): Promise<void> {
    const agent = this.legs.get(leg.legId);
    if (!agent) throw new Error(`hold: leg ${leg.legId} has ended`);
    await holdLeg(agent);
  }

  async hangup(leg: LegHandle): Promise<void> {
    await this.legs.get(leg.legId)?.hangup();
  }

  async close(): Promise<void> {
    this.limiter.drain();
    this.keepalive?.stop();
    this.refusals?.flush();
    // Best effort: CANCEL/BYE what is still up, but never wait more than a second for peers.
    const ending = Promise.all([...this.legs.values()].map((leg) => leg.hangup().catch(() => undefined)));
    await Promise.race([ending, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.legs.clear();
    await this.ua.close();
    await this.media.close();
  }

  private async place(leg: SipLeg): Promise<void> {
    const route = await routeLeg(leg.request, this.options.directory, this.bindings, this.ua.address.host);
    if ('status' in route) return leg.unroutable(route.status, route.reason);
    let release: (() => void) | undefined;
    if (route.trunk) {
      release = await this.limiter.acquire(route.trunk.id, route.trunk, () => leg.abandoned);
      if (!release) return leg.start(this.ua, route, undefined);
    }
    let offer: string | undefined;
    try {
      offer = await this.initialOffer(leg, route);
    } catch (error) {
      release?.();
      return leg.unroutable(503, `Service Unavailable (no RTP port pair: ${String(error)})`);
    }
    leg.start(this.ua, route, offer, release);
  }

  /**
   * The offer of the first INVITE: none (flow IV) unless the trunk demands one; then an
   * anchored leg offers pconn's own RTP port (its media is opened now), others the agent's.
   */
  private async initialOffer(leg: SipLeg, route: LegRoute): Promise<string | undefined> {
    if (!route.trunk?.offerInInitialInvite) return undefined;
    if (leg.openMedia) {
      const media = await leg.openMedia();
      leg.media = media;
      return leg.sdp.stamp(media.offer());
    }
    // The contact gets the agent's own description (its media address and codecs) — from the
    // agent's first answer, which for a session's leg is still its phone's media.
    const agentLegId = leg.request.bridgeWith ?? leg.legId.replace(/\/contact$/, '/agent');
    const agent = leg.isAgent ? undefined : this.legs.get(agentLegId);
    return (agent?.remoteSdp && leg.sdp.relay(agent.remoteSdp)) || leg.sdp.stamp(blackHoleOffer());
  }

  private mediaHost(): string {
    const host = this.options.publicAddress?.replace(/:\d+$/, '') ?? this.ua.address.host;
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }
}
