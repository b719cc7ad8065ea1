import type { SipLeg } from './sip-leg.ts';

/**
 * Connects two answered legs per RFC 3725 §4.4 flow IV: re-INVITE the agent with the
 * contact's SDP as offer (steps 6-7, origin re-stamped for the agent's session, RFC 3264 §8),
 * then ACK the contact's pending 2xx with the agent's answer (step 8). When the contact was
 * INVITEd with an offer (trunk option offerInInitialInvite) its 2xx held an answer already:
 * the agent is re-INVITEd with that description and nothing more goes to the contact.
 * On failure both legs are ended — contact first, so its status decides the outcome — and
 * the promise rejects so the dialer does not mark the call connected.
 */
export async function bridgeLegs(agent: SipLeg, contact: SipLeg): Promise<void> {
  const agentDialog = agent.dialog;
  const contactDialog = contact.dialog;
  if (!agentDialog || !contactDialog || agent.state !== 'answered' || contact.state !== 'answered')
    throw new Error(`cannot bridge ${agent.legId} and ${contact.legId}: both must be answered`);
  const offer = contact.remoteSdp === undefined ? undefined : agent.sdp.relay(contact.remoteSdp);
  if (!offer) return fail(agent, contact, 488, 'the contact sent no usable SDP');
  const result = await agentDialog.reinvite({ sdp: offer });
  if (result.status >= 300 || result.timeout)
    return fail(
      agent,
      contact,
      result.status,
      `agent refused the re-INVITE: ${result.status} ${result.reason}`,
    );
  const answer = result.sdp === undefined ? undefined : contact.sdp.relay(result.sdp);
  if (contactDialog.ackPending) {
    if (!answer) return fail(agent, contact, 488, 'the agent answered the re-INVITE without SDP');
    contactDialog.ack(answer);
  }
}

async function fail(agent: SipLeg, contact: SipLeg, status: number, reason: string): Promise<never> {
  const ending = [contact.bye(status, `bridge failed: ${reason}`, 'network'), agent.bye(200, 'BYE', 'local')];
  await Promise.all(ending);
  throw new Error(`bridge failed: ${reason}`);
}
