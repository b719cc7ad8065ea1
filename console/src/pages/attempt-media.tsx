import type { Call } from 'pconn/sdk';

type Attempt = Call['attempts'][number];

/**
 * What answer detection heard on an attempt's contact leg and how its media fared: the verdict,
 * when it was reached (and the machine's beep), the rule behind it, the RTP figures, and the
 * instants of the prompts. Nothing when the contact's media was never anchored at pconn.
 */
export function AttemptMedia({ attempt }: { attempt: Attempt }) {
  const { analysis, media } = attempt;
  if (!analysis && !media && !attempt.contactAnsweredAt) return null;
  const reason = (analysis?.features as { reason?: string } | undefined)?.reason;
  const prompts = [
    attempt.abandonPromptPlayedAt ? `abandon message at ${time(attempt.abandonPromptPlayedAt)}` : '',
    attempt.machineMessagePlayedAt ? `machine message at ${time(attempt.machineMessagePlayedAt)}` : '',
  ].filter(Boolean);
  return (
    <dl class="attempt-media">
      {attempt.contactAnsweredAt ? (
        <>
          <dt>Contact answered</dt>
          <dd>
            {time(attempt.contactAnsweredAt)}
            {attempt.agentConnectedAt ? ` · connected to the agent at ${time(attempt.agentConnectedAt)}` : ''}
          </dd>
        </>
      ) : null}
      {analysis ? (
        <>
          <dt>Answer detection</dt>
          <dd data-testid="attempt-verdict">
            <strong>{analysis.verdict}</strong> after {(analysis.decidedAtMs / 1000).toFixed(1)} s
            {reason ? ` (${reason.replaceAll('_', ' ')})` : ''}
            {analysis.beepAtMs !== null ? ` · beep at ${(analysis.beepAtMs / 1000).toFixed(1)} s` : ''}
          </dd>
        </>
      ) : null}
      {prompts.length ? (
        <>
          <dt>Prompts</dt>
          <dd>{prompts.join(' · ')}</dd>
        </>
      ) : null}
      {media ? (
        <>
          <dt>Media</dt>
          <dd>
            {media.codec} · {media.packetsReceived} packets received, {media.packetsLost} lost · jitter{' '}
            {media.jitterMs} ms
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}
