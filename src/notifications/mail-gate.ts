/**
 * @module Which mail an account may still be sent, by its lifecycle status. A trial or subscribed account gets its
 * service mail; cancelling ends service e-mails (AS-5); a deactivated account is sent nothing but what the law
 * requires (VO-7, VO-15), such as the receipt for a deletion it asked for. Marketing never goes through here.
 *
 * @example
 * if (mayMail(await accountStatusOf(trx, accountId), 'item')) await mailer.send(…)
 */
import type { Trx } from '../kernel/db/database.ts';
import type { AccountStatus } from '../kernel/db/schema.ts';

/**
 * - `item`: a new phone message or post item (per item, or urgent).
 * - `digest`: the daily summary.
 * - `account`: invitations, service announcements: part of the service, never promotional (VO-7).
 * - `legal`: what the law requires, e.g. the receipt for an erasure request.
 */
export type MailKind = 'item' | 'digest' | 'account' | 'legal';

export const mayMail = (status: AccountStatus, kind: MailKind): boolean =>
  kind === 'legal' || status === 'trial' || status === 'subscribed';

export const accountStatusOf = async (trx: Trx, accountId: string): Promise<AccountStatus> => {
  const row = await trx.selectFrom('accounts').select('status').where('id', '=', accountId).executeTakeFirst();

  return row?.status ?? 'deactivated';
};
