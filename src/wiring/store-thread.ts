/**
 * The embedded store's thread entry (src/store/pglite-worker.ts): PGlite and the operations that
 * run beside it in one go. Every StoreOperation sent to the embedded store must be listed here.
 */
import { writeStepsOperation } from '../dialer/call-steps.ts';
import { claimDueWithFactsOperation } from '../dialer/claim-due-with-facts.ts';
import { readAcceptFactsOperation } from '../service/calls/read-accept-facts.ts';
import { writeAcceptBatchOperation } from '../service/calls/write-accept-batch.ts';
import { serveStoreThread } from '../store/pglite-worker.ts';

serveStoreThread([
  writeStepsOperation,
  claimDueWithFactsOperation,
  readAcceptFactsOperation,
  writeAcceptBatchOperation,
]);
