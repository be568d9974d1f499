/**
 * @module Who hears about new phone messages and post, and how: each client user chooses an e-mail per item, a
 * daily digest, or none; urgent messages always e-mail whoever may see them. All of it is service mail, never
 * marketing, and it stops when the account is cancelled or deactivated (see `mail-gate.ts`).
 *
 * The intake side sends the per-item and urgent mails; it asks `recipientsFor` whom to send them to. Users sit
 * outside row-level security (the app role has no grant on them), so the look-up runs in the system scope: pass a
 * `db.system` transaction, or call `listRecipients`, which opens one. On PGlite never open it inside a tenant
 * transaction (one connection: the two would wait for each other).
 *
 * @example
 * const to = await listRecipients(kernel, accountId, 'message', 'urgent')
 * for (const r of to) await kernel.mailer.send({ to: r.email, subject: 'Urgent message', text, class: 'service' })
 */
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { AccessLevel, ItemKind } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { accountStatusOf, type MailKind, mayMail } from './mail-gate.ts';
import {
  countItemsSince,
  findPreference,
  insertNotification,
  lastDigestAt,
  listRecipientRows,
  type NotificationMode,
  upsertPreference,
} from './notification-repository.ts';

export const DEFAULT_MODE: NotificationMode = 'per_item';

export type Recipient = {
  userId: string;
  subjectId: string;
  email: string;
  name: string | null;
  mode: NotificationMode;
  sees: { messages: boolean; post: boolean };
  /** A phone number is on the user's subject record (still sealed): an urgent message may also go by SMS. */
  hasPhone: boolean;
};

const DAY = 86_400_000;

const canSee = (role: string, level: AccessLevel | null) => role === 'owner' || level === 'view' || level === 'act';

/**
 * Active client users who may see this kind of item, and the way each wants to hear about it, with the account's
 * status when it has any such user (read in the same statement). System scope.
 */
const reachableUsers = async (deps: Pick<Kernel, 'vault'>, trx: Trx, accountId: string, kind: ItemKind | null) => {
  const rows = await listRecipientRows(trx, accountId);
  const accountStatus = rows[0]?.accountStatus ?? null;
  const out: Recipient[] = [];
  for (const row of rows) {
    if (kind === 'message' && !canSee(row.role, row.messages)) continue;
    if (kind === 'post' && !canSee(row.role, row.post)) continue;
    if (kind === null && !canSee(row.role, row.messages) && !canSee(row.role, row.post)) continue;
    const email = row.email ? await deps.vault.open(trx, row.email, 'subjects.email') : null;
    if (!email) continue;
    const name = row.name ? await deps.vault.open(trx, row.name, 'subjects.name') : null;
    out.push({
      userId: row.userId,
      subjectId: row.subjectId,
      email,
      name,
      mode: row.mode ?? DEFAULT_MODE,
      sees: { messages: canSee(row.role, row.messages), post: canSee(row.role, row.post) },
      hasPhone: row.phone !== null,
    });
  }

  return { accountStatus, users: out };
};

/**
 * The users to e-mail now about a new item: those who may see it and chose an e-mail per item, and for an urgent
 * phone message everyone who may see it whatever they chose. Nobody when the account's status ends service mail.
 * `trx` must be a system-scope transaction (see the module note).
 */
export const recipientsFor = async (
  deps: Pick<Kernel, 'vault'>,
  trx: Trx,
  accountId: string,
  kind: ItemKind,
  urgency: 'normal' | 'urgent',
): Promise<Recipient[]> => (await recipientsByUrgency(deps, trx, accountId, kind))[urgency];

/** `recipientsFor` for both urgencies from one read, for a batch of items that mixes them. */
export const recipientsByUrgency = async (
  deps: Pick<Kernel, 'vault'>,
  trx: Trx,
  accountId: string,
  kind: ItemKind,
): Promise<Record<'normal' | 'urgent', Recipient[]>> => {
  const { accountStatus, users } = await reachableUsers(deps, trx, accountId, kind);
  // No user to reach means nobody to mail, whatever the status.
  if (accountStatus === null || !mayMail(accountStatus, 'item')) return { normal: [], urgent: [] };

  return {
    normal: users.filter((r) => r.mode === 'per_item'),
    urgent: kind === 'message' ? users : users.filter((r) => r.mode === 'per_item'),
  };
};

/** `recipientsFor` in its own system-scope transaction: call it before (not inside) the item's tenant transaction. */
export const listRecipients = (
  deps: Pick<Kernel, 'db' | 'vault'>,
  accountId: string,
  kind: ItemKind,
  urgency: 'normal' | 'urgent',
) => deps.db.system((trx) => recipientsFor(deps, trx, accountId, kind, urgency));

export const getNotificationPreference = (deps: Pick<Kernel, 'db'>, user: { id: string; accountId: string }) =>
  deps.db.tenant(user.accountId, async (trx) => ({
    mode: (await findPreference(trx, user.accountId, user.id)) ?? DEFAULT_MODE,
  }));

export const setNotificationPreference = (
  deps: Pick<Kernel, 'db' | 'clock'>,
  input: { user: { id: string; role: string; accountId: string }; mode: NotificationMode },
) =>
  deps.db.tenant(input.user.accountId, async (trx) => {
    await upsertPreference(trx, {
      accountId: input.user.accountId,
      userId: input.user.id,
      mode: input.mode,
      at: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.user.accountId,
      actor: { id: input.user.id, role: input.user.role },
      action: 'notification.preference_set',
      entity: 'user',
      entityId: input.user.id,
      purpose: 'service_delivery',
      details: { mode: input.mode },
    });

    return { mode: input.mode };
  });

/**
 * Sends one mail and logs the attempt. The gate is checked here too, so no caller can mail a cancelled or
 * deactivated account by forgetting to.
 */
export const sendServiceMail = async (
  deps: Pick<Kernel, 'db' | 'clock' | 'mailer'>,
  input: {
    accountId: string;
    userId: string;
    to: string;
    kind: MailKind;
    logAs: 'message' | 'post' | 'digest' | 'receipt' | null;
    itemId?: string | null;
    subject: string;
    text: string;
  },
): Promise<'sent' | 'failed' | 'suppressed'> => {
  const status = await deps.db.system((trx) => accountStatusOf(trx, input.accountId));
  if (!mayMail(status, input.kind)) return 'suppressed';
  let outcome: 'sent' | 'failed' = 'sent';
  try {
    await deps.mailer.send({ to: input.to, subject: input.subject, text: input.text, class: 'service' });
  } catch {
    outcome = 'failed';
  }
  const logAs = input.logAs;
  if (logAs) {
    await deps.db.tenant(input.accountId, (trx) =>
      insertNotification(trx, {
        account_id: input.accountId,
        item_kind: logAs,
        item_id: input.itemId ?? null,
        user_id: input.userId,
        channel: 'email',
        status: outcome,
        created_at: deps.clock.now(),
        sent_at: outcome === 'sent' ? deps.clock.now() : null,
      }),
    );
  }

  return outcome;
};

/**
 * The daily digest job: for every client account that may still get service mail, each user who chose a digest
 * gets the counts of new items they may see since their last digest (counts only: no caller's data in the mail).
 * Idempotent per day: a user already sent a digest in the last 20 hours is skipped.
 */
export const sendDailyDigests = async (deps: Pick<Kernel, 'db' | 'clock' | 'mailer' | 'vault' | 'config'>) => {
  const now = deps.clock.now();
  const accounts = await deps.db.system((trx) =>
    trx.selectFrom('accounts').select(['id', 'name', 'status']).where('kind', '=', 'client').execute(),
  );
  let sent = 0;
  for (const account of accounts) {
    if (!mayMail(account.status, 'digest')) continue;
    const { users: reachable } = await deps.db.system((trx) => reachableUsers(deps, trx, account.id, null));
    const users = reachable.filter((u) => u.mode === 'daily_digest');
    if (users.length === 0) continue;
    const plans = await deps.db.tenant(account.id, async (trx) => {
      const out: { user: Recipient; counts: { messages: number; urgent: number; post: number } }[] = [];
      for (const user of users) {
        const last = await lastDigestAt(trx, account.id, user.userId);
        if (last && now.getTime() - last.getTime() < 20 * 3_600_000) continue;
        const all = await countItemsSince(trx, last ?? new Date(now.getTime() - DAY), now);
        // Only what this user may see: a colleague without post access is not told how much post came.
        const counts = {
          messages: user.sees.messages ? all.messages : 0,
          urgent: user.sees.messages ? all.urgent : 0,
          post: user.sees.post ? all.post : 0,
        };
        out.push({ user, counts });
      }

      return out;
    });
    for (const { user, counts } of plans) {
      const lines = [
        `Good morning${user.name ? ` ${user.name.split(/\s+/)[0]}` : ''},`,
        '',
        `Since your last summary for ${account.name}:`,
        `- ${counts.messages} phone message(s)${counts.urgent ? `, ${counts.urgent} urgent` : ''}`,
        `- ${counts.post} post item(s)`,
        '',
        `Read them in your portal: ${deps.config.publicUrl}/portal/inbox`,
        '',
        'You receive this daily summary because you chose it in Settings. It is a service message about your account.',
      ];
      const outcome = await sendServiceMail(deps, {
        accountId: account.id,
        userId: user.userId,
        to: user.email,
        kind: 'digest',
        logAs: 'digest',
        subject: `Your daily summary: ${counts.messages} message(s), ${counts.post} post item(s)`,
        text: lines.join('\n'),
      });
      if (outcome === 'sent') sent += 1;
    }
  }

  return { sent };
};

/**
 * A service announcement (e.g. a suspension for repairs) to every active client user of every account that may
 * still get service mail. It cannot be refused by a notification preference, only by deactivating (VO-7).
 */
export const sendServiceAnnouncement = async (
  deps: Pick<Kernel, 'db' | 'clock' | 'mailer' | 'vault'>,
  input: { subject: string; text: string; actor?: Actor },
) => {
  const accounts = await deps.db.system((trx) =>
    trx.selectFrom('accounts').select(['id', 'status']).where('kind', '=', 'client').execute(),
  );
  let sent = 0;
  let skippedAccounts = 0;
  for (const account of accounts) {
    if (!mayMail(account.status, 'account')) {
      skippedAccounts += 1;
      continue;
    }
    const users = await deps.db.system(async (trx) => {
      const out: { userId: string; email: string }[] = [];
      for (const row of await listRecipientRows(trx, account.id)) {
        const email = row.email ? await deps.vault.open(trx, row.email, 'subjects.email') : null;
        if (email) out.push({ userId: row.userId, email });
      }

      return out;
    });
    await deps.db.tenant(account.id, (trx) =>
      recordAudit(trx, deps.clock, {
        accountId: account.id,
        actor: input.actor ?? SYSTEM_ACTOR,
        action: 'notification.announcement',
        entity: 'account',
        entityId: account.id,
        purpose: 'account_administration',
        details: { recipients: users.length },
      }),
    );
    for (const user of users) {
      const outcome = await sendServiceMail(deps, {
        accountId: account.id,
        userId: user.userId,
        to: user.email,
        kind: 'account',
        logAs: null,
        subject: input.subject,
        text: `${input.text}\n\nThis is a service announcement about your account, not a promotion.`,
      });
      if (outcome === 'sent') sent += 1;
    }
  }

  return { sent, skippedAccounts };
};
