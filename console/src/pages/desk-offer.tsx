import type { Contact, PreviewOffer } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import type { DeskAction } from './desk.tsx';
import { ContactFacts } from './desk-call.tsx';

/**
 * A preview offer: the contact's details before anyone is dialled, with accept (pconn rings the
 * contact through the agent's leg) and skip with a reason (the call goes back to the queue).
 */
export function DeskOffer(props: { offer: PreviewOffer; contact: Contact | undefined; act: DeskAction }) {
  const { offer, act } = props;
  const [reason, setReason] = useState('');
  return (
    <section class="panel" aria-labelledby="desk-offer" data-testid="desk-offer">
      <h2 id="desk-offer">Preview offer</h2>
      <p>
        <code>{offer.callId}</code> is offered to you
        {offer.expiresAt ? ` until ${new Date(offer.expiresAt).toLocaleTimeString()}` : ''}.
      </p>
      <ContactFacts call={offer.call} contact={props.contact} />
      <div class="actions">
        <button type="button" onClick={() => act(() => client.sessions.acceptOffer(offer.sessionId))}>
          Accept and call
        </button>
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          return act(() => client.sessions.skipOffer(offer.sessionId, reason.trim() || 'skipped'));
        }}
      >
        <Field
          id="desk-skip-reason"
          label="Skip reason"
          value={reason}
          onInput={setReason}
          placeholder="skipped"
        />
        <button type="submit">Skip</button>
      </form>
    </section>
  );
}
