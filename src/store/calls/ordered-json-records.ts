import { type RawBuilder, sql } from 'kysely';

/**
 * A FROM item for a multi-row insert whose rows travel as ONE jsonb array (`items`, a JSON text),
 * so the statement's text is the same for any number of rows: each element as a typed record
 * `alias(columns)`, beside `i.item` (the element, for a jsonb member taken with `->`, which keeps
 * a JSON null as JSON rather than SQL null) and `i.ord` (its position: `order by i.ord` inserts
 * the rows in the order given, so identity ids follow it).
 */
export function orderedJsonRecords(items: string, alias: string, columns: string): RawBuilder<unknown> {
  return sql`jsonb_array_elements(${items}::jsonb) with ordinality as i(item, ord),
      jsonb_to_record(i.item) as ${sql.raw(alias)}(${sql.raw(columns)})`;
}
