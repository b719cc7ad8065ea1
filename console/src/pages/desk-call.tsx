import type { AgentSession, Call, Contact } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import type { DeskAction } from './desk.tsx';

/** The contact's details as the agent needs them before and during a call. */
export function ContactFacts(props: { call: Call; contact: Contact | undefined }) {
  const { call, contact } = props;
  return (
    <dl class="facts" data-testid="desk-contact">
      <dt>Contact</dt>
      <dd>{contact ? (contact.name ?? contact.externalId) : (call.contactId ?? '—')}</dd>
      <dt>Number</dt>
      <dd>{call.to}</dd>
      {contact ? (
        <>
          <dt>Other numbers</dt>
          <dd>{contact.phoneNumbers.map((p) => `${p.phoneType} ${p.number}`).join(', ') || '—'}</dd>
          <dt>Time zone</dt>
          <dd>{contact.timezone ?? '—'}</dd>
          <dt>Attributes</dt>
          <dd>
            <pre>{JSON.stringify(contact.attributes ?? {}, null, 2)}</pre>
          </dd>
        </>
      ) : null}
      <dt>Call metadata</dt>
      <dd>
        <pre>{JSON.stringify(call.metadata ?? {}, null, 2)}</pre>
      </dd>
    </dl>
  );
}

/**
 * The call the agent is on or wrapping up, with the contact's details, and the wrap-up form: a
 * disposition code and notes end the wrap-up (POST /v1/calls/{id}/disposition).
 */
export function DeskCall(props: {
  session: AgentSession;
  call: Call | undefined;
  contact: Contact | undefined;
  act: DeskAction;
}) {
  const { session, call, act } = props;
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const wrapping = session.state === 'wrap_up' && call !== undefined && call.id === session.stateCallId;
  return (
    <section class="panel" aria-labelledby="desk-call">
      <h2 id="desk-call">Current call</h2>
      {call ? (
        <>
          <p>
            <code>{call.id}</code>: <strong data-testid="desk-call-status">{call.status}</strong>
            {call.outcome ? ` (${call.outcome})` : ''}
            {call.disposition ? (
              <>
                {' '}
                · disposition <strong data-testid="desk-disposition">{call.disposition.code}</strong>
              </>
            ) : null}
          </p>
          <ContactFacts call={call} contact={props.contact} />
        </>
      ) : (
        <p>No call right now.</p>
      )}
      {wrapping ? (
        <form
          aria-labelledby="desk-wrap-up"
          onSubmit={(event) => {
            event.preventDefault();
            return act(async () => {
              await client.sessions.recordDisposition(call.id, {
                code: code.trim(),
                ...(notes ? { notes } : {}),
              });
              setCode('');
              setNotes('');
            });
          }}
        >
          <h3 id="desk-wrap-up">Wrap-up</h3>
          <Field
            id="desk-disposition-code"
            label="Disposition code"
            value={code}
            onInput={setCode}
            required
          />
          <Field id="desk-notes" label="Notes" value={notes} onInput={setNotes} multiline />
          <button type="submit" disabled={!code.trim()}>
            Set disposition
          </button>
        </form>
      ) : null}
    </section>
  );
}
