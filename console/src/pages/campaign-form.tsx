import type { Campaign, FieldError } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { Field } from '../components/field.tsx';
import { fieldErrors, ProblemBox } from '../components/problem.tsx';

/** Fields the server sets: never sent back. */
const READ_ONLY = new Set(['id', 'status', 'createdAt', 'updatedAt', 'links']);
/** Fields with a control of their own; every other field is edited as JSON. */
const OWN_CONTROL = new Set([
  'name',
  'callerId',
  'dialingMode',
  'callingWindow',
  'timezone',
  'maxAttemptsPerContact',
  'agentIds',
]);
const MODES = ['', 'manual', 'preview', 'progressive', 'predictive'] as const;

interface FormState {
  name: string;
  callerId: string;
  dialingMode: string;
  windowStart: string;
  windowEnd: string;
  timezone: string;
  maxAttempts: string;
  agentIds: string;
  more: string;
}

function initial(campaign: Campaign | undefined): FormState {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(campaign ?? {}))
    if (!READ_ONLY.has(key) && !OWN_CONTROL.has(key)) rest[key] = value;
  return {
    name: campaign?.name ?? '',
    callerId: campaign?.callerId ?? '',
    dialingMode: campaign?.dialingMode ?? '',
    windowStart: campaign?.callingWindow?.start ?? '',
    windowEnd: campaign?.callingWindow?.end ?? '',
    timezone: campaign?.timezone ?? '',
    maxAttempts: campaign?.maxAttemptsPerContact ? String(campaign.maxAttemptsPerContact) : '',
    agentIds: campaign?.agentIds?.join(', ') ?? '',
    more: campaign ? JSON.stringify(rest, null, 2) : '{}',
  };
}

/** The body the form describes (only what is filled in on a create). */
function body(state: FormState): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(state.more.trim() || '{}');
  out.name = state.name;
  if (state.callerId) out.callerId = state.callerId;
  if (state.dialingMode) out.dialingMode = state.dialingMode;
  if (state.windowStart || state.windowEnd)
    out.callingWindow = { start: state.windowStart, end: state.windowEnd };
  if (state.timezone) out.timezone = state.timezone;
  if (state.maxAttempts) out.maxAttemptsPerContact = Number(state.maxAttempts);
  const agents = state.agentIds
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  if (agents.length > 0 || state.agentIds !== '') out.agentIds = agents;
  return out;
}

/** Which control shows the errors of a pointer; undefined: the JSON of the other fields. */
function controlOf(pointer: string): string | undefined {
  const [, first, second] = pointer.split('/');
  if (first === 'callingWindow') return second === 'end' ? 'windowEnd' : 'windowStart';
  if (first === 'maxAttemptsPerContact') return 'maxAttempts';
  if (first && OWN_CONTROL.has(first)) return first;
  return undefined;
}

/**
 * Create or edit a campaign. Known fields have their own labelled control; every other field
 * the API returns is edited as JSON, so fields added to the API later still show and save. The
 * server's field errors land at the control their JSON pointer names, with the hint.
 */
export function CampaignForm(props: {
  campaign?: Campaign;
  onSave: (body: Record<string, unknown>) => Promise<void>;
}) {
  const [state, setState] = useState(() => initial(props.campaign));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const byControl = new Map<string, FieldError[]>();
  for (const [pointer, errors] of fieldErrors(error)) {
    const control = controlOf(pointer) ?? 'more';
    byControl.set(control, [
      ...(byControl.get(control) ?? []),
      ...errors.map((e) =>
        control === 'more' ? { ...e, detail: `${e.pointer || '(body)'}: ${e.detail}` } : e,
      ),
    ]);
  }
  const set = (key: keyof FormState) => (value: string) => setState((s) => ({ ...s, [key]: value }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setError(undefined);
    try {
      let payload: Record<string, unknown>;
      try {
        payload = body(state);
      } catch {
        setError(new Error('“Other fields” is not valid JSON.'));
        return;
      }
      await props.onSave(payload);
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const p = (id: string) => `campaign-${id}`;
  return (
    <form class="campaign-form" onSubmit={submit} noValidate>
      <Field
        id={p('name')}
        label="Name"
        value={state.name}
        onInput={set('name')}
        errors={byControl.get('name')}
        required
      />
      <Field
        id={p('callerId')}
        label="Caller id (E.164, e.g. +14155550100)"
        value={state.callerId}
        onInput={set('callerId')}
        errors={byControl.get('callerId')}
      />
      <Field
        id={p('dialingMode')}
        label="Dialing mode"
        value={state.dialingMode}
        onInput={set('dialingMode')}
        options={MODES}
        errors={byControl.get('dialingMode')}
      />
      <div class="row">
        <Field
          id={p('windowStart')}
          label="Calling window start (HH:MM)"
          value={state.windowStart}
          onInput={set('windowStart')}
          errors={byControl.get('windowStart')}
        />
        <Field
          id={p('windowEnd')}
          label="Calling window end (HH:MM)"
          value={state.windowEnd}
          onInput={set('windowEnd')}
          errors={byControl.get('windowEnd')}
        />
      </div>
      <Field
        id={p('timezone')}
        label="Fallback time zone (IANA)"
        value={state.timezone}
        onInput={set('timezone')}
        errors={byControl.get('timezone')}
      />
      <Field
        id={p('maxAttempts')}
        label="Max attempts per contact"
        type="number"
        value={state.maxAttempts}
        onInput={set('maxAttempts')}
        errors={byControl.get('maxAttemptsPerContact') ?? byControl.get('maxAttempts')}
      />
      <Field
        id={p('agentIds')}
        label="Agent user ids (comma separated)"
        value={state.agentIds}
        onInput={set('agentIds')}
        errors={byControl.get('agentIds')}
      />
      <Field
        id={p('more')}
        label="Other fields (JSON)"
        value={state.more}
        onInput={set('more')}
        multiline
        errors={byControl.get('more')}
        help="Every other field of the campaign, as the API names it (retryPolicy, schedule, metadata …)."
      />
      <ProblemBox error={error} />
      {saved ? (
        <p class="ok" role="status">
          Saved.
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {props.campaign ? 'Save changes' : 'Create campaign'}
      </button>
    </form>
  );
}

/** The top-level fields that differ between a campaign and the form's body (for PATCH). */
export function changedFields(campaign: Campaign, next: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const current = campaign as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(next))
    if (JSON.stringify(current[key]) !== JSON.stringify(value)) changes[key] = value;
  for (const key of OWN_CONTROL)
    if (!(key in next) && current[key] !== null && current[key] !== undefined && key !== 'name')
      changes[key] = null;
  return changes;
}
