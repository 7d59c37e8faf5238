import type { Kysely } from 'kysely';
import type { Database } from './tables';

/**
 * The secret for `day`'s IP hashes, created on first use and shared by every
 * process on this database. Earlier days' secrets are deleted here, so that
 * a stored hash can no longer be matched against candidate addresses.
 */
export async function secretFor(db: Kysely<Database>, day: string, fresh: () => string): Promise<string> {
  await destroySecretsBefore(db, day);
  await db
    .insertInto('salts')
    .values({ day, secret: fresh() })
    .onConflict((oc) => oc.column('day').doNothing())
    .execute();
  const row = await db.selectFrom('salts').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
  return row.secret;
}

/** Deletes the secrets of days before `day`: their hashes can no longer be recomputed. */
export async function destroySecretsBefore(db: Kysely<Database>, day: string): Promise<void> {
  await db.deleteFrom('salts').where('day', '<', day).execute();
}
