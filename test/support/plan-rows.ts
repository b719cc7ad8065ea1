/** One node of PostgreSQL's `explain (analyze, format json)` plan, as far as the plan tests read it. */
export interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `table` (each scan's rows, over all its loops; at least 1 a loop). */
export function rowsRead(node: PlanNode, table: string): number {
  const here = node['Relation Name'] === table ? Math.max(1, node['Actual Rows']) * node['Actual Loops'] : 0;
  return here + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), 0);
}
