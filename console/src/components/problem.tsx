import { type FieldError, PconnApiError } from 'pconn/sdk';

/** A failure as the console shows it: the problem's title, detail, code and request id. */
export function ProblemBox(props: { error: unknown; unmatched?: FieldError[] }) {
  const { error } = props;
  if (!error) return null;
  if (!(error instanceof PconnApiError))
    return (
      <div class="problem" role="alert">
        <strong>Something went wrong.</strong> {error instanceof Error ? error.message : String(error)}
      </div>
    );
  const notFound = error.status === 404 && error.code === 'not_found';
  return (
    <div class="problem" role="alert" data-code={error.code}>
      <strong>{error.title}</strong> ({error.status} <code>{error.code}</code>): {error.detail}
      {notFound && error.problem.detail.includes('Route')
        ? ' This build of pconn does not serve it yet.'
        : ''}
      {props.unmatched && props.unmatched.length > 0 ? (
        <ul>
          {props.unmatched.map((e) => (
            <li key={`${e.pointer}${e.code}`}>
              <code>{e.pointer || '(body)'}</code>: {e.detail}
              {e.hint ? <span class="hint"> Hint: {e.hint}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {error.requestId ? (
        <div class="request-id">
          Request id: <code>{error.requestId}</code>
        </div>
      ) : null}
    </div>
  );
}

/** The field errors of a failure, by JSON pointer (`/callerId`, `/callingWindow/start` …). */
export function fieldErrors(error: unknown): Map<string, FieldError[]> {
  const map = new Map<string, FieldError[]>();
  if (!(error instanceof PconnApiError)) return map;
  for (const item of error.errors) map.set(item.pointer, [...(map.get(item.pointer) ?? []), item]);
  return map;
}

/** A short text for a failure (toasts, table cells). */
export function problemText(error: unknown): string {
  if (error instanceof PconnApiError) return `${error.title}: ${error.detail}`;
  return error instanceof Error ? error.message : String(error);
}
