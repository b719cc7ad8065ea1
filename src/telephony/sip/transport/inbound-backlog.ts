/**
 * Datagrams libuv reads from one UDP socket per loop turn (uv__udp_recvmsg's `count`): a turn
 * that read fewer found the socket empty.
 */
const DATAGRAMS_PER_TURN = 32;

/** A retransmission waiting for the inbound backlog to be read. */
interface Held {
  send: () => void;
  deadline: number;
}

function check(backlog: InboundBacklog): void {
  backlog.checkTurn();
}

/**
 * Holds retransmissions back until the datagrams already waiting on our socket have been read.
 *
 * Why: Node runs due timers before it polls sockets, and reads at most 32 datagrams per socket
 * and loop turn. Under a burst the kernel buffer holds hundreds of datagrams (measured: 0.4 s
 * of work with 100 bridged calls starting at once on 2 cores, 1.4 s with 300) while timers keep
 * firing between batches, so Timer A resent INVITEs whose 180/200 was already queued on our
 * socket. The peer got an INVITE copy after its 2xx: sipp aborts such a call, and when that was
 * the contact it never sent its BYE, leaving the call connected for ever. Retransmitting into
 * our own backlog also adds load exactly when we are behind.
 *
 * A held retransmission is released in the check phase of the first loop turn whose poll read
 * fewer than 32 datagrams (the socket was drained), or at its deadline, so that a socket that
 * never drains cannot starve a genuine retransmission.
 */
export class InboundBacklog {
  #held: Held[] = [];
  /** UDP datagrams read since the last check. */
  #read = 0;
  #scheduled = false;

  /** A datagram was read from the UDP socket. */
  received(): void {
    this.#read += 1;
  }

  /**
   * Runs `send` once the inbound backlog is drained, at most `maxWaitMs` from now. `send`
   * should check that the retransmission is still due: a response read meanwhile may have
   * made it moot.
   */
  afterDrain(maxWaitMs: number, send: () => void): void {
    this.#held.push({ send, deadline: Date.now() + maxWaitMs });
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#read = 0;
    setImmediate(check, this);
  }

  /** Check phase of a loop turn (internal timer entry): releases what is due. */
  checkTurn(): void {
    this.#scheduled = false;
    const drained = this.#read < DATAGRAMS_PER_TURN;
    this.#read = 0;
    let due = this.#held;
    if (drained) this.#held = [];
    else {
      const now = Date.now();
      due = this.#held.filter((held) => held.deadline <= now);
      this.#held = this.#held.filter((held) => held.deadline > now);
    }
    if (this.#held.length > 0) {
      this.#scheduled = true;
      setImmediate(check, this);
    }
    for (const held of due) {
      try {
        held.send();
      } catch {
        // One failing retransmission must not keep the others back.
      }
    }
  }

  /** Drops what is held (transport closed). */
  clear(): void {
    this.#held = [];
  }
}
