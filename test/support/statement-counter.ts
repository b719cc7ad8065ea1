import type { KyselyPlugin, RootOperationNode } from 'kysely';

/**
 * A Kysely plugin that calls `count` for each raw statement run through it whose text contains
 * `fragment`: how a test counts one kind of statement (a relay's fan-out, a hub's outbox read)
 * that a component issues on its own schedule.
 */
export function countingStatements(fragment: string, count: () => void): KyselyPlugin {
  const matches = (node: RootOperationNode) =>
    node.kind === 'RawNode' && node.sqlFragments.some((part) => part.includes(fragment));
  return {
    transformQuery: (args) => {
      if (matches(args.node)) count();
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}
