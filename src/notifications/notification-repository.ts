/**
 * @module SQL for notification preferences and the notification log.
 */
import crypto from 'node:crypto';
import type { Trx } from '../kernel/db/database.ts';
import type { NotificationsTable } from '../kernel/db/schema.ts';

export type NotificationMode = 'per_item' | 'daily_digest' | 'none';

export const findPreference = async (trx: Trx, accountId: string, userId: string): Promise<NotificationMode | null> =>
  (
    await trx
      .selectFrom('notification_preferences')
      .select('mode')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  )?.mode ?? null;

export const upsertPreference = (
  trx: Trx,
  row: { accountId: string; userId: string; mode: NotificationMode; at: Date },
) =>
  trx
    .insertInto('notification_preferences')
    .values({ account_id: row.accountId, user_id: row.userId, mode: row.mode, updated_at: row.at })
    .onConflict((oc) => oc.columns(['account_id', 'user_id']).doUpdateSet({ mode: row.mode, updated_at: row.at }))
    .execute();

/**
 * Active client users of the account with their e-mail (sealed), access and preference, each row with the account's
 * lifecycle status (which decides whether they may be mailed), so one round trip answers both. System scope only.
 */
export const listRecipientRows = (trx: Trx, accountId: string) =>
  trx
    .selectFrom('users')
    .innerJoin('subjects', 'subjects.id', 'users.subject_id')
    .leftJoin('colleague_access', (j) =>
      j
        .onRef('colleague_access.user_id', '=', 'users.id')
        .onRef('colleague_access.account_id', '=', 'users.account_id'),
    )
    .leftJoin('notification_preferences', (j) =>
      j
        .onRef('notification_preferences.user_id', '=', 'users.id')
        .onRef('notification_preferences.account_id', '=', 'users.account_id'),
    )
    .select([
      'users.id as userId',
      'users.role',
      'users.subject_id as subjectId',
      'subjects.email',
      'subjects.name',
      'subjects.phone',
      'colleague_access.messages',
      'colleague_access.post',
      'notification_preferences.mode',
      (eb) =>
        eb
          .selectFrom('accounts')
          .select('accounts.status')
          .whereRef('accounts.id', '=', 'users.account_id')
          .$asScalar<'status'>()
          .as('accountStatus'),
    ])
    .where('users.account_id', '=', accountId)
    .where('users.status', '=', 'active')
    .where('users.role', 'in', ['owner', 'colleague'])
    .orderBy('users.created_at')
    .execute();

export const insertNotification = async (
  trx: Trx,
  row: Pick<NotificationsTable, 'account_id' | 'item_kind' | 'item_id' | 'user_id' | 'channel' | 'status'> & {
    created_at: Date;
    sent_at: Date | null;
  },
) => {
  const id = crypto.randomUUID();
  await trx
    .insertInto('notifications')
    .values({ id, ...row, attempts: row.status === 'queued' ? 0 : 1 })
    .execute();

  return id;
};

export const lastDigestAt = async (trx: Trx, accountId: string, userId: string) =>
  (
    await trx
      .selectFrom('notifications')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .where('item_kind', '=', 'digest')
      .executeTakeFirst()
  )?.at ?? null;

export const countItemsSince = async (trx: Trx, since: Date, until: Date) => {
  const messages = await trx
    .selectFrom('phone_messages')
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.count<string>('id').filterWhere('urgency', '=', 'urgent').as('urgent'),
    ])
    .where('created_at', '>', since)
    .where('created_at', '<=', until)
    .executeTakeFirstOrThrow();
  const post = await trx
    .selectFrom('post_items')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('created_at', '>', since)
    .where('created_at', '<=', until)
    .executeTakeFirstOrThrow();

  return { messages: Number(messages.n), urgent: Number(messages.urgent), post: Number(post.n) };
};
