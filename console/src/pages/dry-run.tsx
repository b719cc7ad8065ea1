import type { DryRunResult } from 'pconn/sdk';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ProblemBox } from '../components/problem.tsx';
import { ScrollBox } from '../components/scroll-box.tsx';

/** "Can I call this contact now?": a dry run of a campaign call, with its decision record. */
export function DryRun(props: { campaignId: string }) {
  const [contactId, setContactId] = useState('');
  const [result, setResult] = useState<DryRunResult>();
  const [error, setError] = useState<unknown>();
  const run = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await client.calls.dryRunForCampaign(props.campaignId, { contactId }));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form onSubmit={run}>
      <Field id="dry-run-contact" label="Contact id" value={contactId} onInput={setContactId} required />
      <button type="submit">Check</button>
      <ProblemBox error={error} />
      {result ? <Decision result={result} /> : null}
    </form>
  );
}

/** A decision record: allowed or not, each rule's result, and when a call would be allowed. */
export function Decision(props: { result: Pick<DryRunResult, 'allowed' | 'decision' | 'nextAllowedAt'> }) {
  const { result } = props;
  return (
    <div class="decision" data-testid="decision">
      <p>
        <strong>{result.allowed ? 'Allowed now.' : 'Not allowed now.'}</strong>
        {result.nextAllowedAt ? ` Next allowed at ${new Date(result.nextAllowedAt).toLocaleString()}.` : ''}
      </p>
      <DecisionRules decision={result.decision} />
    </div>
  );
}

/** The rules of one decision as a table. */
export function DecisionRules(props: { decision: DryRunResult['decision'] }) {
  return (
    <ScrollBox label="Decision rules">
      <table>
        <caption>
          Decision {props.decision.outcome} (zones {props.decision.zone.zones.join(', ') || '—'}, from{' '}
          {props.decision.zone.source})
        </caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {props.decision.rules.map((rule) => (
            <tr key={rule.rule}>
              <th scope="row">{rule.rule}</th>
              <td>{rule.result}</td>
              <td>
                {rule.detail}
                {rule.hint ? <span class="hint"> Hint: {rule.hint}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
