import { parseSdp, type SessionDescription } from '../sip/sdp/index.ts';
import type { SipLeg } from './sip-leg.ts';

// The re-INVITE each agent leg has in flight: RFC 3261 §14.1 allows one INVITE transaction at
// a time per dialog, so a hold that follows a bridge (or the reverse) waits for it.
const inFlight = new WeakMap<SipLeg, Promise<unknown>>();
// The last offer each agent leg got from a bridge: a hold re-offers the same streams.
const lastOffer = new WeakMap<SipLeg, string>();

/** Runs `step` after the leg's previous re-INVITE settled. */
export function serialized<T>(leg: SipLeg, step: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(leg) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(step);
  inFlight.set(leg, next);
  return next;
}

/**
 * Connects two answered legs per RFC 3725 §4.4 flow IV: re-INVITE the agent with the
 * contact's SDP as offer (steps 6-7, origin re-stamped for the agent's session, RFC 3264 §8),
 * then ACK the contact's pending 2xx with the agent's answer (step 8). When the contact was
 * INVITEd with an offer (trunk option offerInInitialInvite) its 2xx held an answer already:
 * the agent is re-INVITEd with that description and nothing more goes to the contact.
 * The same flow bridges a held session leg to its next contact: a fresh contact leg, one more
 * re-INVITE of the same agent dialog.
 * On failure the contact is ended first, so its status decides the outcome, then the agent —
 * unless the agent leg is persistent (a session) and still answers, since a failed re-INVITE
 * leaves its session as it was (§14.1) — and the promise rejects so the dialer does not mark
 * the call connected.
 */
export function bridgeLegs(agent: SipLeg, contact: SipLeg): Promise<void> {
  return serialized(agent, async () => {
    const agentDialog = agent.dialog;
    const contactDialog = contact.dialog;
    if (!agentDialog || !contactDialog || agent.state !== 'answered' || contact.state !== 'answered')
      throw new Error(`cannot bridge ${agent.legId} and ${contact.legId}: both must be answered`);
    const offer = contact.remoteSdp === undefined ? undefined : agent.sdp.relay(contact.remoteSdp);
    if (!offer) return fail(agent, contact, 488, 'the contact sent no usable SDP', false);
    const answer = await offerToAgent(agent, contact, offer);
    if (contactDialog.ackPending) {
      if (!answer) return fail(agent, contact, 488, 'the agent answered the re-INVITE without SDP', false);
      contactDialog.ack(answer);
    }
  });
}

/**
 * Steps 6-7 of flow IV, shared by both bridges: re-INVITEs the agent with `offer` (the contact's
 * description, already re-stamped for the agent) and answers the agent's answer re-stamped for
 * the contact, undefined when the agent sent none. A refusal or no answer ends the legs as
 * `fail` says and rejects.
 */
export async function offerToAgent(
  agent: SipLeg,
  contact: SipLeg,
  offer: string,
): Promise<string | undefined> {
  const dialog = agent.dialog;
  if (!dialog) throw new Error(`cannot bridge ${agent.legId}: its dialog is gone`);
  const result = await dialog.reinvite({ sdp: offer });
  if (result.status >= 300 || result.timeout)
    return fail(
      agent,
      contact,
      result.status,
      `agent refused the re-INVITE: ${result.status} ${result.reason}`,
      result.timeout === true,
    );
  lastOffer.set(agent, offer);
  return result.sdp === undefined ? undefined : contact.sdp.relay(result.sdp);
}

/**
 * Puts an agent leg on hold after its contact left: a re-INVITE with the last description the
 * agent got from us, pointed at 0.0.0.0 and marked sendonly (RFC 3264 §8.4), so the phone
 * stops sending media and shows the call held until the next contact's offer arrives (a leg
 * never bridged is still parked on its black hole answer: nothing to send). A 491
 * (the phone re-INVITEd at the same moment, §14.1) is retried once after a short wait; no
 * answer at all ends the leg.
 */
export function holdLeg(agent: SipLeg): Promise<void> {
  return serialized(agent, async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const dialog = agent.dialog;
      if (!dialog || agent.state !== 'answered') throw new Error(`hold: leg ${agent.legId} is not up`);
      const sent = lastOffer.get(agent);
      const previous = sent === undefined ? undefined : parseSdp(sent);
      if (!previous) return;
      const result = await dialog.reinvite({ sdp: agent.sdp.stamp(holdOffer(previous)) });
      if (result.status < 300 && !result.timeout) return;
      if (result.timeout) {
        await agent.bye(408, 'the agent did not answer the hold re-INVITE', 'network');
        throw new Error('hold failed: no answer to the re-INVITE');
      }
      if (result.status !== 491) throw new Error(`hold failed: ${result.status} ${result.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
    }
    throw new Error('hold failed: re-INVITE glare persisted');
  });
}

/** `previous` with every stream sent to 0.0.0.0 and sendonly (rejected streams stay rejected). */
function holdOffer(previous: SessionDescription): SessionDescription {
  const nowhere = { type: 'c', value: 'IN IP4 0.0.0.0' };
  const isDirection = (value: string) => ['sendrecv', 'sendonly', 'recvonly', 'inactive'].includes(value);
  return {
    origin: previous.origin,
    session: previous.session.map((line) => (line.type === 'c' ? nowhere : line)),
    media: previous.media.map((m) => ({
      ...m,
      lines:
        m.port === 0
          ? m.lines
          : [
              ...m.lines
                .filter((line) => !(line.type === 'a' && isDirection(line.value)))
                .map((line) => (line.type === 'c' ? nowhere : line)),
              { type: 'a', value: 'sendonly' },
            ],
    })),
  };
}

/**
 * A failed bridge: the contact is ended first (its status decides the outcome), then the agent
 * unless it is a persistent session leg that still answers; always rejects.
 */
export async function fail(
  agent: SipLeg,
  contact: SipLeg,
  status: number,
  reason: string,
  agentSilent: boolean,
): Promise<never> {
  const keepAgent = agent.request.persistent === true && !agentSilent;
  await Promise.all([
    contact.bye(status, `bridge failed: ${reason}`, 'network'),
    keepAgent ? Promise.resolve() : agent.bye(200, 'BYE', 'local'),
  ]);
  throw new Error(`bridge failed: ${reason}`);
}
