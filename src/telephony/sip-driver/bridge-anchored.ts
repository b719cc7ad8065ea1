import { fail, offerToAgent, serialized } from './bridge-legs.ts';
import type { SipLeg } from './sip-leg.ts';

/**
 * Hands an anchored contact's media from pconn to the agent: RFC 3725 §4.4 flow IV run again
 * on established dialogs, the contact taking the place of the party whose offer comes first.
 *   1. re-INVITE the contact without SDP (RFC 3261 §14.1, RFC 3264 §8: its 2xx then carries
 *      a fresh offer, its full media description), the ACK held back;
 *   2. re-INVITE the agent with that offer, origin re-stamped for the agent's session (as
 *      bridgeLegs relays it; the agent answers with its own media address);
 *   3. ACK the contact with the agent's answer, re-stamped for the contact's session: from
 *      here both phones send RTP to each other and pconn is out of the media path;
 *   4. close pconn's RtpLeg, so its port pair is free again (its figures are kept for `ended`).
 * Playback and analysis stop before step 1: nothing more is played to the contact. Offering
 * first to the contact (rather than to the agent) keeps the contact's codec choice, which the
 * agent's phone, any G.711 softphone, always accepts; and each dialog needs one re-INVITE only.
 * Failures follow bridgeLegs: the contact is ended first, the agent too unless it is a session
 * leg that still answers, and the promise rejects.
 */
export function bridgeAnchored(agent: SipLeg, contact: SipLeg): Promise<void> {
  return serialized(agent, async () => {
    const agentDialog = agent.dialog;
    const contactDialog = contact.dialog;
    const media = contact.media;
    if (!agentDialog || !contactDialog || agent.state !== 'answered' || contact.state !== 'answered')
      throw new Error(`cannot bridge ${agent.legId} and ${contact.legId}: both must be answered`);
    if (!media?.live) throw new Error(`cannot bridge ${contact.legId}: its anchored media is not up`);
    media.quiet();
    const moved = await contactDialog.reinvite({ deferAck: true }).catch((error: unknown) => ({
      status: 500,
      reason: String(error),
      sdp: undefined,
      timeout: false,
    }));
    if (moved.status >= 300 || moved.timeout)
      return fail(
        agent,
        contact,
        moved.status,
        `contact refused the re-INVITE: ${moved.status} ${moved.reason}`,
        false,
      );
    if (moved.sdp !== undefined) contact.remoteSdp = moved.sdp;
    const offer = moved.sdp === undefined ? undefined : agent.sdp.relay(moved.sdp);
    if (!offer) return fail(agent, contact, 488, 'the contact offered no SDP in its re-INVITE 2xx', false);
    const answer = await offerToAgent(agent, contact, offer);
    if (!answer) return fail(agent, contact, 488, 'the agent answered the re-INVITE without SDP', false);
    contactDialog.ack(answer);
    await media.release();
  });
}
