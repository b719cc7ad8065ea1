import type { FieldError } from '../domain/pconn-error.ts';
import { PolicyRefusalError } from '../domain/pconn-error.ts';

const MAX_REPORTED = 100;

/**
 * The problems of an all-or-nothing import: every one is counted, the first hundred are kept
 * (each with its line), and any problem rejects the whole import with 422 `import_rejected`.
 */
export class ImportProblems {
  readonly reported: FieldError[] = [];
  count = 0;

  /** Records one problem of one line. */
  add(problem: FieldError): void {
    this.count++;
    if (this.reported.length < MAX_REPORTED) this.reported.push(problem);
  }

  /** True once any problem was found: rows after it need checking, not storing. */
  get failed(): boolean {
    return this.count > 0;
  }

  /** Throws `import_rejected` listing the problems, if there are any. */
  throwIfAny(rows: number): void {
    if (this.count === 0) return;
    throw new PolicyRefusalError(
      'import_rejected',
      `${this.count} problem(s) in ${rows} row(s); nothing was imported.`,
      {
        errors: this.reported,
        extensions: { rows, errorCount: this.count, reportedErrors: this.reported.length },
      },
    );
  }
}
