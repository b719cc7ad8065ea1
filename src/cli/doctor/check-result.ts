/** The outcome of one doctor check. */
export interface CheckResult {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about a failure or warning. */
  fix?: string;
}
