import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { FOREIGN_FIELD_HINTS, foreignFieldHint, type RouteKind } from '../../src/api/field-hints.ts';
import { CampaignCallInput, DirectCallInput } from '../../src/contract/calls.ts';
import { CampaignInput } from '../../src/contract/campaigns.ts';
import { ContactInput } from '../../src/contract/contacts.ts';
import { UserInput } from '../../src/contract/users.ts';

// The body schema behind each route kind whose shape is known.
const BODIES: Partial<Record<RouteKind, TSchema>> = {
  campaign_call: CampaignCallInput,
  direct_call: DirectCallInput,
  contact: ContactInput,
  campaign: CampaignInput,
  user: UserInput,
};

/** Every member name the schema accepts, at any depth. */
function memberNames(schema: TSchema, into = new Set<string>()): Set<string> {
  const node = schema as {
    properties?: Record<string, TSchema>;
    items?: TSchema;
    anyOf?: TSchema[];
    additionalProperties?: unknown;
  };
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    into.add(name);
    memberNames(child, into);
  }
  if (node.items) memberNames(node.items, into);
  for (const branch of node.anyOf ?? []) memberNames(branch, into);
  return into;
}

const ALL_MEMBERS = new Set(Object.values(BODIES).flatMap((schema) => [...memberNames(schema)]));
const NAMES_A_ROUTE = /\b(?:POST|PUT|GET|PATCH|DELETE) \/v1\//;

describe('the foreign hint table', () => {
  test('a hint names only fields its route accepts, unless the sentence names the route that does', () => {
    const wrong = new Set<string>();
    for (const entry of FOREIGN_FIELD_HINTS) {
      for (const [route, schema] of Object.entries(BODIES) as Array<[RouteKind, TSchema]>) {
        if (entry.routes && !entry.routes.includes(route)) continue;
        const accepted = memberNames(schema);
        if (entry.needs && !accepted.has(entry.needs)) continue;
        for (const sentence of entry.hint.split(/(?<=\.)\s+|;\s*/)) {
          if (NAMES_A_ROUTE.test(sentence)) continue;
          // camelCase identifiers are field names, never prose.
          for (const word of sentence.match(/\b[a-z]+[A-Z][A-Za-z]*\b/g) ?? []) {
            if (ALL_MEMBERS.has(word) && !accepted.has(word))
              wrong.add(`${entry.fields[0]} on ${route}: '${word}' in "${entry.hint}"`);
          }
        }
      }
    }
    assert.deepEqual([...wrong], []);
  });

  test('a truncated name gets a hint only when every matching entry agrees', () => {
    assert.match(foreignFieldHint('pho', '', 'direct_call', ['userId', 'to']) ?? '', /^Use to/);
    // "call" could be callType or callee.
    assert.equal(foreignFieldHint('call', '', 'direct_call', ['userId', 'to']), undefined);
    assert.equal(foreignFieldHint('ph', '', 'direct_call', ['userId', 'to']), undefined);
  });

  test('a truncated accepted field is completed', () => {
    assert.equal(
      foreignFieldHint('extern', '', 'contact', ['externalId', 'name']),
      "Did you mean 'externalId'?",
    );
  });

  test('names are matched case-insensitively (CXone sends PascalCase)', () => {
    assert.match(foreignFieldHint('PhoneNumber', '', 'direct_call', ['userId', 'to']) ?? '', /^Use to/);
  });

  test('an entry whose field the object rejects stays silent', () => {
    assert.equal(foreignFieldHint('reasonCode', '', 'campaign', ['name', 'callerId']), undefined);
    assert.equal(foreignFieldHint('callee', '', 'user', ['name', 'device']), undefined);
  });

  test('a very long name costs nothing and gets no hint', () => {
    assert.equal(foreignFieldHint(`pho${'x'.repeat(100_000)}`, '', 'direct_call', ['to']), undefined);
  });
});
