/**
 * The SIP thread as pconn starts it, which dies (exit code 3) when it is asked to dial a leg
 * whose id starts with `crash/`: threaded-sip-driver.test.ts sees what the node's thread does
 * when the SIP thread ends under it.
 */
import { parentPort } from 'node:worker_threads';
import type { SipCommand } from '../../../src/wiring/sip-thread/sip-thread-messages.ts';

parentPort?.on('message', (commands: SipCommand[]) => {
  if (commands.some((command) => command.op === 'dial' && command.request.legId.startsWith('crash/')))
    process.exit(3);
});
await import('../../../src/wiring/sip-thread/sip-thread.ts');
