/*
 * What the dialer does once answer detection has a verdict on an anchored contact leg
 * (issue 16, api-contract "answerDetection"). Pure: the call session asks, then acts.
 *
 * A person, and anything the analyser could not classify, goes to the agent: taking a person
 * for a machine hangs up on a customer, which is worse than an agent hearing a machine. Silence
 * follows the campaign's choice; hanging up on it is an abandoned call for the ledger (the
 * silent party may be a person), so the abandon message is played first.
 */

/** The analyser's verdicts (media/answer-detection-result.ts AnswerVerdict). */
export type AnswerVerdictName = 'human' | 'machine' | 'fax' | 'silence' | 'unknown' | 'invalid_number';

/** What a campaign asks for a machine, and for silence. */
export interface AnswerActions {
  machineAction: 'hangup' | 'leave_message' | 'connect';
  silenceAction: 'connect' | 'hangup';
}

/** The next step of the call after a verdict. */
export type AnswerStep =
  | { kind: 'connect' }
  /** Wait for the machine's beep (or the beep timeout), play the machine prompt, hang up. */
  | { kind: 'leave_message' }
  /** Hang up at once with this outcome. */
  | { kind: 'hang_up'; outcome: 'machine' | 'fax' | 'invalid_number' }
  /** A live answer that is not connected: play the abandon prompt, then hang up (`abandoned`). */
  | { kind: 'abandon' };

/** The step a verdict leads to under the campaign's actions. */
export function stepForVerdict(verdict: AnswerVerdictName, actions: AnswerActions): AnswerStep {
  switch (verdict) {
    case 'human':
    case 'unknown':
      return { kind: 'connect' };
    case 'silence':
      return actions.silenceAction === 'connect' ? { kind: 'connect' } : { kind: 'abandon' };
    case 'machine':
      if (actions.machineAction === 'connect') return { kind: 'connect' };
      if (actions.machineAction === 'leave_message') return { kind: 'leave_message' };
      return { kind: 'hang_up', outcome: 'machine' };
    case 'fax':
      return { kind: 'hang_up', outcome: 'fax' };
    case 'invalid_number':
      return { kind: 'hang_up', outcome: 'invalid_number' };
  }
}
