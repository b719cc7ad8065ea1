import type { Command } from 'commander';
import { type AuditChainFields, type ChainBreak, verifyAuditChain } from '../../contract/audit-chain.ts';
import { type AuditChain, PconnApiError, type PconnClient } from '../../sdk/index.ts';
import { type ConnectionOptions, clientFrom, withConnection } from '../connection.ts';
import { EXIT, print, run } from '../output.ts';
import { UsageError } from '../usage-error.ts';

type Entry = AuditChainFields & { prevHash: string; hash: string };
type Break = ChainBreak | { sequence: number; reason: 'head_mismatch'; requestId?: string };

/** The outcome of verifying one chain. */
interface ChainReport {
  chain: AuditChain;
  ok: boolean;
  /** Entries verified (up to the head read before verifying). */
  entries: number;
  headSequence: number;
  firstBreak: Break | null;
  breaks: Break[];
}

/** A chain not verified because the credentials may not read it. */
interface SkippedChain {
  chain: AuditChain;
  skipped: string;
}

/**
 * `pconn audit verify`: re-computes audit hash chains from the entries the API returns and
 * checks each ends at its chain head, so an altered, inserted or deleted entry (including at
 * the tail) is reported. Verifies the tenant's chain and, when the credentials hold the
 * `system` scope, the chain of requests that had no usable token (`--chain` picks one).
 * Prints the entries verified and the first break; exit code 1 when a chain is broken.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  withConnection(
    audit
      .command('verify')
      .description(
        'verify the hash chain of your tenant’s audit trail (and, with the system scope, of unauthenticated requests)',
      )
      .option(
        '--chain <chain>',
        'tenant | unauthenticated | all (all: what the credentials may read)',
        'all',
      ),
  ).action((options: ConnectionOptions & { chain: string }) =>
    run(options, async () => {
      if (!['tenant', 'unauthenticated', 'all'].includes(options.chain))
        throw new UsageError(`--chain must be tenant, unauthenticated or all, not '${options.chain}'`);
      const client = clientFrom(options);
      const results: Array<ChainReport | SkippedChain> = [];
      if (options.chain !== 'unauthenticated') results.push(await verifyChain(client, 'tenant'));
      if (options.chain !== 'tenant') {
        try {
          results.push(await verifyChain(client, 'unauthenticated'));
        } catch (error) {
          // `all` reads what the credentials may; asked for explicitly, a refusal is the answer.
          if (
            options.chain === 'all' &&
            error instanceof PconnApiError &&
            error.code === 'insufficient_scope'
          )
            results.push({ chain: 'unauthenticated', skipped: 'needs the system scope' });
          else throw error;
        }
      }
      const reports = results.filter((r): r is ChainReport => 'ok' in r);
      const ok = reports.every((r) => r.ok);
      const value = {
        ok,
        entries: reports.reduce((n, r) => n + r.entries, 0),
        chains: results,
        breaks: reports.flatMap((r) => r.breaks.map((b) => ({ chain: r.chain, ...b }))),
      };
      print(options.json === true, value, () => results.map(line));
      return ok ? EXIT.ok : EXIT.failed;
    }),
  );
}

/** Verifies one chain from its first entry to the head read beforehand. */
async function verifyChain(client: PconnClient, chain: AuditChain): Promise<ChainReport> {
  // The head is read first: verifying adds entries of its own, which come after it.
  const head = await client.audit.head(chain);
  const entries: Entry[] = [];
  const query = chain === 'tenant' ? {} : { chain };
  for await (const entry of client.audit.search(query)) {
    if (entry.sequence > head.sequence) break;
    entries.push(entry as Entry);
  }
  const breaks: Break[] = verifyAuditChain(entries);
  const last = entries.at(-1);
  if ((last?.sequence ?? 0) !== head.sequence || (last && last.hash !== head.hash)) {
    breaks.push({ sequence: head.sequence, reason: 'head_mismatch' });
  }
  return {
    chain,
    ok: breaks.length === 0,
    entries: entries.length,
    headSequence: head.sequence,
    firstBreak: breaks[0] ?? null,
    breaks,
  };
}

function line(result: ChainReport | SkippedChain): string {
  const name = result.chain === 'tenant' ? 'tenant chain' : 'unauthenticated chain';
  if ('skipped' in result) return `${name}: not verified (${result.skipped})`;
  if (result.ok) return `${name} intact: ${result.entries} entries verified, head ${result.headSequence}`;
  const first = result.firstBreak;
  const where = first
    ? `first break at sequence ${first.sequence}: ${first.reason}${first.requestId ? ` (request ${first.requestId})` : ''}`
    : '';
  return `${name} BROKEN: ${result.breaks.length} problem(s) in ${result.entries} entries verified; ${where}`;
}
