import { backlogHoldMs, type TimerBases } from '../transaction/transaction-timers.ts';
import type { SipTransport } from '../transport/sip-transport.ts';
import type { RemoteAddress } from '../transport/transport-types.ts';

/** Told when a 2xx was never ACKed. */
export interface OkRetransmitterOwner {
  onAckTimeout(): void;
}

function fireRetransmit(r: OkRetransmitter): void {
  r.retransmit();
}

function fireGiveUp(r: OkRetransmitter): void {
  r.giveUp();
}

/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): the 2xx to an INVITE is resent at
 * T1, 2*T1, … capped at T2 until its ACK arrives; after 64*T1 without ACK the owner is told
 * (it then ends the dialog with BYE). Done on every transport, since an element downstream may
 * be on UDP.
 */
export class OkRetransmitter {
  /** CSeq number of the INVITE answered; the ACK carries the same. */
  readonly seq: number;
  readonly #transport: SipTransport;
  readonly #data: Buffer;
  readonly #target: RemoteAddress;
  readonly #timers: TimerBases;
  readonly #owner: OkRetransmitterOwner;
  #interval: number;
  #retransmitTimer: NodeJS.Timeout | undefined;
  #giveUpTimer: NodeJS.Timeout | undefined;
  /** A retransmission waits for the inbound backlog. */
  #holding = false;

  /** Starts retransmitting `data` (already sent once by the server transaction) to `target`. */
  constructor(
    transport: SipTransport,
    data: Buffer,
    target: RemoteAddress,
    timers: TimerBases,
    seq: number,
    owner: OkRetransmitterOwner,
  ) {
    this.#transport = transport;
    this.#data = data;
    this.#target = target;
    this.#timers = timers;
    this.seq = seq;
    this.#owner = owner;
    this.#interval = timers.t1;
    this.#retransmitTimer = setTimeout(fireRetransmit, this.#interval, this);
    this.#giveUpTimer = setTimeout(fireGiveUp, 64 * timers.t1, this);
  }

  /** Resends the 2xx and re-arms with the doubled interval (internal timer entry). */
  retransmit(): void {
    this.#resendWhenDrained();
    this.#interval = Math.min(2 * this.#interval, this.#timers.t2);
    this.#retransmitTimer = setTimeout(fireRetransmit, this.#interval, this);
  }

  /** Resends once an ACK that may already wait on our socket has been read (InboundBacklog). */
  #resendWhenDrained(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.#transport.afterInboundDrained(backlogHoldMs(this.#timers), () => {
      this.#holding = false;
      if (this.#giveUpTimer === undefined) return;
      this.#transport.send(this.#data, this.#target).catch(() => {});
    });
  }

  /** 64*T1 passed without ACK (internal timer entry). */
  giveUp(): void {
    this.stop();
    this.#owner.onAckTimeout();
  }

  /** Stops both timers (the ACK arrived, or the dialog ended). */
  stop(): void {
    clearTimeout(this.#retransmitTimer);
    clearTimeout(this.#giveUpTimer);
    this.#retransmitTimer = this.#giveUpTimer = undefined;
  }
}
