/**
 * @module What a client sees first: their account and how many people and notes are held for them. Counts only:
 * no personal value is read, so nothing here is an audited read.
 */
import type { Kernel } from '../kernel/kernel.ts';
import { countNotes } from '../notes/note-repository.ts';

export const getPortalSummary = (deps: Pick<Kernel, 'db'>, accountId: string) =>
  deps.db.tenant(accountId, async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['id', 'name', 'status'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    // The client's own users are subjects of the account too, but "people on file" means callers and contacts.
    const people = await trx
      .selectFrom('subjects')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('kind', 'not in', ['client_user', 'staff'])
      .executeTakeFirstOrThrow();

    return { account, counts: { people: Number(people.n), notes: await countNotes(trx, accountId) } };
  });
