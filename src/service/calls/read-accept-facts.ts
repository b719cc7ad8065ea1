import {
  type CampaignCallFactsKey,
  type CampaignCallFactsRow,
  loadCampaignCallFacts,
} from '../../store/calls/load-campaign-call-facts.ts';
import {
  findIdempotencyAnswers,
  type IdempotencyKeyRef,
  type StoredIdempotencyAnswer,
} from '../../store/idempotency-keys.ts';
import type { StoreOperation } from '../../store/store-operation.ts';

/** What an accept batch reads before it judges its requests. */
export interface AcceptFactsQuery {
  /** The batch's Idempotency-Keys (dry runs have none). */
  keys: readonly IdempotencyKeyRef[];
  /** One per campaign request of the batch, replays included (they are known only from `keys`). */
  facts: readonly CampaignCallFactsKey[];
  now: Date;
}

/** The stored answers of the batch's keys, and each campaign request's facts, in order. */
export interface AcceptFacts {
  stored: Map<string, StoredIdempotencyAnswer>;
  facts: CampaignCallFactsRow[];
}

/**
 * An accept batch's reads in one go, where the store runs (on the embedded store one message to
 * its thread instead of two, each of which waited its turn behind the dialer's writes): the
 * stored answers of its Idempotency-Keys, then every fact its campaign requests' checks need.
 */
export const readAcceptFactsOperation: StoreOperation<AcceptFactsQuery, AcceptFacts> = {
  name: 'calls.read-accept-facts',
  run: async (db, query) => ({
    stored: await findIdempotencyAnswers(db, query.keys, query.now),
    facts: await loadCampaignCallFacts(db, query.facts),
  }),
};
