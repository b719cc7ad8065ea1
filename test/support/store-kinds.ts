import { openStore, type Store } from '../../src/store/open-store.ts';
import { migratedPgliteImage } from './pglite-image.ts';
import { createTestDatabase } from './postgres-server.ts';

/** A fresh migrated store of one kind and how to drop it; store tests run once per kind. */
export const STORE_KINDS: Array<
  ['pglite' | 'postgres', () => Promise<{ store: Store; drop: () => Promise<void> }>]
> = [
  [
    'pglite',
    async () => ({
      store: await openStore({ kind: 'pglite', image: await migratedPgliteImage() }),
      drop: async () => {},
    }),
  ],
  [
    'postgres',
    async () => {
      const database = await createTestDatabase();
      return { store: await openStore({ kind: 'postgres', url: database.url }), drop: database.drop };
    },
  ],
];
