import type { Command } from 'commander';
import { type AuditChainFields, type ChainBreak, verifyAuditChain } from '../../contract/audit-chain.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { EXIT, print, run } from '../output.ts';

type Entry = AuditChainFields & { prevHash: string; hash: string };

/**
 * `pconn audit verify`: re-computes the tenant's audit hash chain from the entries the API
 * returns and checks it ends at the chain head, so an altered, inserted or deleted entry
 * (including at the tail) is reported. Exit code 1 when the chain is broken.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  withConnection(
    audit.command('verify').description('verify the hash chain of your tenant’s audit trail'),
  ).action((options: ConnectionOptions) =>
    run(options, async () => {
      const client = clientFrom(options);
      // The head is read first: verifying adds entries of its own, which come after it.
      const head = await client.audit.head();
      const entries: Entry[] = [];
      for await (const entry of client.paginate<Entry>('/v1/audit-events')) {
        if (entry.sequence > head.sequence) break;
        entries.push(entry);
      }
      const breaks: Array<ChainBreak | { sequence: number; reason: string; requestId?: string }> =
        verifyAuditChain(entries);
      const last = entries.at(-1);
      if ((last?.sequence ?? 0) !== head.sequence || (last && last.hash !== head.hash)) {
        breaks.push({ sequence: head.sequence, reason: 'head_mismatch' });
      }
      const ok = breaks.length === 0;
      print(
        options.json === true,
        { ok, entries: entries.length, headSequence: head.sequence, breaks },
        () =>
          ok
            ? [
                `audit chain intact: ${entries.length} entries, head ${head.sequence} ${head.hash.slice(0, 16)}…`,
              ]
            : [
                `audit chain BROKEN: ${breaks.length} problem(s) in ${entries.length} entries`,
                ...breaks.map(
                  (b) =>
                    `  sequence ${b.sequence}: ${b.reason}${b.requestId ? ` (request ${b.requestId})` : ''}`,
                ),
              ],
      );
      return ok ? EXIT.ok : EXIT.failed;
    }),
  );
}
