import { type PGliteInterface, parse, protocol, type Results, types } from '@electric-sql/pglite';
import { AnswerBytes, readAnswer } from './pglite-answers.ts';
import { type BoundValue, RunMessages } from './pglite-run-message.ts';
import { staleStatement } from './stale-statement.ts';

/** How many statements stay prepared; the least recently used one is closed beyond that. */
const DEFAULT_CAPACITY = 256;

interface Prepared {
  name: string;
  /** The parameters' type oids, as PostgreSQL inferred them at Parse (how values are serialized). */
  paramTypes: number[];
}

const { serialize } = protocol;

/** Type oids whose binary wire format is their text's UTF-8 bytes. */
const UTF8_BINARY = new Set<number>([types.TEXT, types.VARCHAR, types.JSON]);
/**
 * From this length on, a text, json or jsonb value is bound in binary format: the same bytes,
 * encoded natively, where PGlite's serializer would measure a string's UTF-8 length in a
 * JavaScript loop over its characters, twice (a tenth of the accept path's CPU, whose rows travel
 * as one jsonb parameter of ~200 KB per batch). Short values are cheaper as they are.
 */
const BINARY_FROM_CHARS = 256;

/** The value in binary format when its type's binary format is its text, else as text. */
function bound(text: string, type: number): BoundValue {
  if (UTF8_BINARY.has(type)) return { text, jsonb: false };
  if (type === types.JSONB) return { text, jsonb: true };
  return text;
}

/**
 * Named prepared statements for PGlite, keyed by SQL text. `PGlite#query` sends every statement
 * as an unnamed one: Parse, Describe, Bind, Describe, Execute and Sync, each a separate call into
 * the WebAssembly backend, which parses and analyzes the text again every time. The store's
 * statements are a fixed set of texts run thousands of times (group-committed CTEs whose rows
 * travel as one jsonb parameter), so a statement is parsed and described once (its parameter
 * types drive serialization, exactly as `PGlite#query` does), then each run is Bind, Describe,
 * Execute and Sync in ONE call. PostgreSQL keeps a statement's generic plan once it has judged
 * it no worse than planning per run (`plan_cache_mode=auto`, open-store.ts explains why that
 * matters here). At most `capacity` stay prepared. Measured on the accept path (`bench/accept-cpu.ts`):
 * ~1,150 → ~750 µs of CPU per accepted call with the binary binds below.
 *
 * Only the current holder of PGlite's one connection may call `run` (the dialect's lock).
 */
export class PgliteStatements {
  readonly #byText = new Map<string, Prepared>();
  /** Statements evicted from the map, closed with the next round trip (a Close costs no call of its own). */
  #toClose: string[] = [];
  #nextId = 0;
  /** Where a run's answer is gathered: one buffer, as runs never overlap (the dialect's lock). */
  readonly #answer = new AnswerBytes();
  /** Where a run's message is written, for the same reason (pglite-run-message.ts). */
  readonly #messages = new RunMessages();

  constructor(
    private readonly pglite: PGliteInterface,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** The name `text` is prepared under, if it is (diagnostics: `EXPLAIN EXECUTE <name>` shows its plan). */
  preparedName(text: string): string | undefined {
    return this.#byText.get(text)?.name;
  }

  /** Runs `text` with `params` through its named statement, preparing it first if needed. */
  async run<R>(text: string, params: readonly unknown[]): Promise<Results<R>> {
    const prepared = this.#byText.get(text);
    if (!prepared) return this.#execute<R>(await this.#prepare(text), params);
    // Moves the entry to the end of the map's order: the first key is the least recently used.
    this.#byText.delete(text);
    this.#byText.set(text, prepared);
    try {
      return await this.#execute<R>(prepared, params);
    } catch (error) {
      if (staleStatement(error) === undefined) throw error;
      this.#forget(text);
      // Inside a transaction the failure aborted it: a second try would only fail again.
      if (this.pglite.isInTransaction()) throw error;
      return this.#execute<R>(await this.#prepare(text), params);
    }
  }

  async #prepare(text: string): Promise<Prepared> {
    const name = `pconn_${this.#nextId++}`;
    const { messages } = await this.pglite.execProtocol(
      concat([
        ...this.#takeCloses().map((closed) => serialize.close({ type: 'S', name: closed })),
        serialize.parse({ name, text, types: [] }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]),
    );
    const prepared = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    this.#byText.set(text, prepared);
    if (this.#byText.size > this.capacity) {
      const [oldest] = this.#byText.keys();
      if (oldest !== undefined) this.#forget(oldest);
    }
    return prepared;
  }

  async #execute<R>(prepared: Prepared, params: readonly unknown[]): Promise<Results<R>> {
    const values = params.map((value, i) => this.#serialize(value, prepared.paramTypes[i]));
    const answer = this.#answer;
    answer.reset();
    await this.pglite.execProtocolRawStream(this.#messages.build(this.#takeCloses(), prepared.name, values), {
      onRawData: answer.append,
    });
    // PGlite's own reader (execProtocol) was a fifth of the store's thread: pglite-answers.ts.
    return readAnswer(answer.bytes, this.pglite.parsers)[0] as Results<R>;
  }

  /** A value as its parameter type's text, the way `PGlite#query` serializes it, or as its bytes. */
  #serialize(value: unknown, type: number | undefined): BoundValue {
    if (value === null || value === undefined) return null;
    // Bytes are the type's binary format already (a bytea, a text[] from text-array.ts), as `pg`
    // binds a Buffer; a Buffer that crossed from the node's thread arrives as a Uint8Array.
    if (value instanceof Uint8Array) return value;
    const serializer = type === undefined ? undefined : this.pglite.serializers[type];
    const text: string = serializer ? serializer(value) : String(value);
    return text.length >= BINARY_FROM_CHARS && type !== undefined ? bound(text, type) : text;
  }

  #forget(text: string): void {
    const prepared = this.#byText.get(text);
    if (!prepared) return;
    this.#byText.delete(text);
    this.#toClose.push(prepared.name);
  }

  /** The statements evicted since the last round trip, closed with the next one. */
  #takeCloses(): string[] {
    const names = this.#toClose;
    this.#toClose = [];
    return names;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
