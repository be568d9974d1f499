/**
 * @module Sending the e-mails (and, where an SMS provider is configured, the SMS) an urgent message queued, and
 * reporting how each went. Every attempt is a row in `notifications` (channel email or sms; queued → sent /
 * failed). A row is claimed by a compare-and-set on its attempt count before sending, so the request's own send and
 * the background sweeper never both send it.
 *
 * The e-mail carries the message itself: it is the client's own data, sent to the client's own users, as an
 * answering service does. It is a service message (class `service`), never marketing. The SMS is shorter: who
 * called, the number to call back, and where to read the rest; it goes through a third-party gateway, so it carries
 * no more than that.
 *
 * @example
 * await deliverMessageNotifications(kernel, { accountId, messageId }) // { sent: 2, failed: 0 }
 * await listDeliveries(kernel, trx, { accountId, messageId })
 */
import crypto from 'node:crypto';
import { recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { OutgoingMail } from '../kernel/mail/mailer.ts';
import type { OutgoingSms } from '../kernel/sms/sms.ts';
import type { Recipient } from '../notifications/notifications.ts';
import { claimNotification, listNotificationsForItem, settleNotification } from './message-repository.ts';
import { type MessageView, readMessage } from './read-messages.ts';
import { usersById } from './recipients.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'mailer' | 'config' | 'sms'>;

export const MAX_ATTEMPTS = 3;
/** A row claimed but not settled for this long was lost with its process: the sweeper may send it again. */
const STALE_MS = 5 * 60_000;

type Row = Awaited<ReturnType<typeof listNotificationsForItem>>[number];

const sendable = (row: Row, now: Date, retry: boolean) => {
  if (row.status === 'sent' || row.attempts >= MAX_ATTEMPTS) return false;
  if (row.status === 'queued' && row.attempts === 0) return true;
  if (!retry) return false;
  if (row.status === 'failed') return true;

  return now.getTime() - row.created_at.getTime() > STALE_MS;
};

/**
 * The notification rows a new message queues: an e-mail to each recipient and, for an urgent message when an SMS
 * provider is configured, an SMS to each recipient with a phone number on their record.
 */
export const queuedNotifications = (
  deps: Pick<Kernel, 'sms'>,
  item: { accountId: string; itemId: string; urgency: 'normal' | 'urgent'; at: Date },
  recipients: readonly Recipient[],
) => {
  const row = (r: Recipient, channel: 'email' | 'sms') => ({
    id: crypto.randomUUID(),
    accountId: item.accountId,
    itemKind: 'message' as const,
    itemId: item.itemId,
    userId: r.userId,
    at: item.at,
    channel,
  });
  const bySms = item.urgency === 'urgent' && deps.sms ? recipients.filter((r) => r.hasPhone) : [];

  return [...recipients.map((r) => row(r, 'email')), ...bySms.map((r) => row(r, 'sms'))];
};

/**
 * Sends what is due for one message. `retry` (the sweeper) also resends failed rows and rows lost mid-send.
 */
export const deliverMessageNotifications = async (
  deps: Deps,
  input: { accountId: string; messageId: string; retry?: boolean },
): Promise<{ sent: number; failed: number }> => {
  const plan = await deps.db.tenant(input.accountId, async (trx) => {
    const rows = await listNotificationsForItem(trx, 'message', input.messageId);
    const due = rows.filter((r) => sendable(r, deps.clock.now(), input.retry === true));
    if (due.length === 0) return null;
    const message = await readMessage(deps, trx, input.messageId);
    const account = await trx
      .selectFrom('accounts')
      .select('name')
      .where('id', '=', input.accountId)
      .executeTakeFirst();

    return { due, message, accountName: account?.name ?? 'your business' };
  });
  if (!plan?.message) return { sent: 0, failed: 0 };
  const users = await usersById(
    deps.db,
    input.accountId,
    plan.due.map((r) => r.user_id),
  );
  const { message } = plan;
  let sent = 0;
  let failed = 0;
  for (const row of plan.due) {
    const user = users.find((u) => u.id === row.user_id);
    const claim = await deps.db.tenant(input.accountId, async (trx) => {
      if (!(await claimNotification(trx, row.id, row.attempts))) return { claimed: false, to: null };
      const subject = user
        ? await trx
            .selectFrom('subjects')
            .select(['email', 'phone'])
            .where('id', '=', user.subject_id)
            .executeTakeFirst()
        : undefined;
      const sealed = row.channel === 'sms' ? subject?.phone : subject?.email;

      return {
        claimed: true,
        to: sealed ? await deps.vault.open(trx, sealed, `subjects.${row.channel === 'sms' ? 'phone' : 'email'}`) : null,
      };
    });
    if (!claim.claimed) continue;
    let ok = false;
    if (claim.to) {
      try {
        if (row.channel === 'sms') {
          // Queued while a provider was configured, but none is now: it stays failed rather than pretend.
          if (!deps.sms) throw new Error('No SMS provider configured');
          await deps.sms.send(urgentSms(deps, plan.accountName, message, claim.to));
        } else {
          await deps.mailer.send(urgentMail(deps, plan.accountName, message, claim.to));
        }
        ok = true;
      } catch {
        ok = false;
      }
    }
    await deps.db.tenant(input.accountId, (trx) =>
      settleNotification(trx, row.id, { status: ok ? 'sent' : 'failed', at: deps.clock.now() }),
    );
    if (ok) sent += 1;
    else failed += 1;
  }
  await deps.db.tenant(input.accountId, (trx) =>
    recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: SYSTEM_ACTOR,
      action: 'message.deliver',
      entity: 'phone_message',
      entityId: input.messageId,
      subjectId: message.caller.subjectId,
      fields: ['caller.name', 'caller.phone', 'caller.email', 'company', 'reason', 'body'],
      purpose: 'service_delivery',
      details: { channel: [...new Set(plan.due.map((r) => r.channel))].join('+'), sent, failed },
    }),
  );

  return { sent, failed };
};

const urgentMail = (deps: Pick<Kernel, 'config'>, accountName: string, m: MessageView, to: string): OutgoingMail => {
  const lines = [
    `An urgent phone message was taken for ${accountName}.`,
    '',
    `From:     ${m.caller.name ?? '(unknown)'}${m.company ? `, ${m.company}` : ''}`,
    ...(m.caller.phone ? [`Phone:    ${m.caller.phone}`] : []),
    ...(m.caller.email ? [`E-mail:   ${m.caller.email}`] : []),
    `Called:   ${new Date(m.callAt).toUTCString()}`,
    `Call back requested: ${m.callbackRequested ? 'yes' : 'no'}`,
    ...(m.reason ? [`Reason:   ${m.reason}`] : []),
    '',
    m.body ?? '',
    '',
    `See it in your inbox: ${deps.config.publicUrl}/portal/inbox`,
    '',
    'You receive this service message for every urgent message taken for your business.',
  ];

  return {
    to,
    subject: `Urgent phone message for ${accountName}`,
    text: lines.join('\n'),
    class: 'service',
    headers: { 'X-Custodian-Item': `message/${m.id}` },
  };
};

/** A service text: who called and how to call back, and where the full message is. No marketing, no message body. */
const urgentSms = (deps: Pick<Kernel, 'config'>, accountName: string, m: MessageView, to: string): OutgoingSms => ({
  to,
  body: [
    `Urgent phone message for ${accountName} from ${m.caller.name ?? 'a caller'}`,
    m.caller.phone ? `, call back on ${m.caller.phone}` : '',
    m.callbackRequested ? ' (call back requested)' : '',
    `. Read it in your inbox: ${deps.config.publicUrl}/portal/inbox`,
  ].join(''),
});

export type Delivery = {
  id: string;
  recipient: string | null;
  role: string | null;
  channel: 'email' | 'sms';
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  sentAt: string | null;
};

/** What the receptionist sees after taking an urgent message: each recipient and how delivery went. */
export const listDeliveries = async (
  deps: Pick<Kernel, 'db' | 'vault'>,
  input: { accountId: string; messageId: string },
): Promise<Delivery[]> => {
  const rows = await deps.db.tenant(input.accountId, async (trx) => {
    const exists = await trx
      .selectFrom('phone_messages')
      .select('id')
      .where('id', '=', input.messageId)
      .executeTakeFirst();
    if (!exists) throw new AppError('NOT_FOUND', 'No such message for this client');

    return listNotificationsForItem(trx, 'message', input.messageId);
  });
  const users = await usersById(
    deps.db,
    input.accountId,
    rows.map((r) => r.user_id),
  );

  return deps.db.tenant(input.accountId, async (trx: Trx) =>
    Promise.all(
      rows.map(async (r) => {
        const user = users.find((u) => u.id === r.user_id);
        const subject = user
          ? await trx.selectFrom('subjects').select('name').where('id', '=', user.subject_id).executeTakeFirst()
          : undefined;

        return {
          id: r.id,
          recipient: subject?.name ? await deps.vault.open(trx, subject.name, 'subjects.name') : null,
          role: user?.role ?? null,
          channel: r.channel,
          status: r.status,
          attempts: r.attempts,
          sentAt: r.sent_at?.toISOString() ?? null,
        };
      }),
    ),
  );
};

/** The sweeper: every message with a notification still due (lost or failed), across accounts. */
export const deliverPendingNotifications = async (deps: Deps) => {
  const pending = await deps.db.system((trx) =>
    trx
      .selectFrom('notifications')
      .select(['account_id', 'item_id'])
      .distinct()
      .where('item_kind', '=', 'message')
      .where('status', '!=', 'sent')
      .where('attempts', '<', MAX_ATTEMPTS)
      .where('created_at', '<', new Date(deps.clock.now().getTime() - 60_000))
      .limit(500)
      .execute(),
  );
  for (const p of pending) {
    if (p.item_id)
      await deliverMessageNotifications(deps, { accountId: p.account_id, messageId: p.item_id, retry: true }).catch(
        () => null,
      );
  }

  return pending.length;
};
