/**
 * A server entry for the crash test that kills the process at one exact moment: right after a
 * dial batch's attempts committed and before any of its INVITEs. It wraps the dialer's group
 * commit (CallStepWriter) and SIGKILLs itself when the first begun attempt's answer arrives —
 * before the dialer's code resumes to dial. It writes `KILL_MARKER` first, and does nothing once
 * that file exists (the restarted process runs normally).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { CallStepWriter } from '../../src/dialer/call-step-writer.ts';
import type { CallStep } from '../../src/dialer/call-steps.ts';
import { serve } from '../../src/main.ts';

const marker = process.env.KILL_MARKER ?? '';
if (marker && !existsSync(marker)) {
  const write = CallStepWriter.prototype.write;
  const killing = function (this: CallStepWriter, step: CallStep): Promise<unknown> {
    const answer = write.call(this, step);
    if (step.kind !== 'begin') return answer;
    return answer.then((begun) => {
      if (begun) {
        writeFileSync(marker, `${step.call.id}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return begun;
    });
  };
  CallStepWriter.prototype.write = killing as typeof write;
}
await serve();
