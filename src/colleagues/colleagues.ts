/**
 * @module The owner's colleagues (AS-2): invite by e-mail, then set, per colleague and separately for phone messages
 * and for post, none, view or act. Changes are read on every request (see `colleague-access.ts`).
 *
 * @example
 * await inviteColleague(kernel, { owner, name: 'Sam Ellery', email: 'sam@example.test', messages: 'view', post: 'none' })
 * await setColleagueAccess(kernel, { owner, userId, messages: 'act', post: 'none' })
 */
import crypto from 'node:crypto';
import { findUserByLogin, insertUser } from '../auth/auth-repository.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/sessions.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import type { AccessLevel } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { sendServiceMail } from '../notifications/notifications.ts';
import { createSubject } from '../subjects/subjects.ts';
import type { ClientUser } from './colleague-access.ts';
import {
  findAccountUser,
  findInvitationByToken,
  insertInvitation,
  listAccountUsers,
  listOpenInvitations,
  markInvitationAccepted,
  upsertAccess,
} from './colleague-repository.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'mailer' | 'config'>;

const INVITE_DAYS = 7;

export type ColleagueView = {
  userId: string;
  role: 'owner' | 'colleague';
  name: string | null;
  email: string | null;
  status: 'active' | 'disabled';
  messages: AccessLevel;
  post: AccessLevel;
};

export const listColleagues = (deps: Pick<Kernel, 'db' | 'vault' | 'clock'>, owner: ClientUser) =>
  deps.db
    .system(async (trx) => {
      // Users are outside row-level security: read in the system scope, scoped by account id.
      const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
      const users: ColleagueView[] = [];
      for (const row of await listAccountUsers(trx, owner.accountId)) {
        if (row.role !== 'owner' && row.role !== 'colleague') continue;
        const isOwner = row.role === 'owner';
        users.push({
          userId: row.id,
          role: row.role,
          name: await open(row.name, 'subjects.name'),
          email: await open(row.email, 'subjects.email'),
          status: row.status,
          messages: isOwner ? 'act' : (row.messages ?? 'none'),
          post: isOwner ? 'act' : (row.post ?? 'none'),
        });
      }

      return users;
    })
    .then((users) =>
      deps.db.tenant(owner.accountId, async (trx) => {
        const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
        const invitations = [];
        for (const row of await listOpenInvitations(trx, owner.accountId, deps.clock.now())) {
          invitations.push({
            id: row.id,
            name: await open(row.name, 'subjects.name'),
            email: await open(row.email, 'subjects.email'),
            messages: row.messages,
            post: row.post,
            expiresAt: row.expires_at.toISOString(),
          });
        }

        return { colleagues: users, invitations };
      }),
    );

export const setColleagueAccess = (
  deps: Pick<Kernel, 'db' | 'clock'>,
  input: { owner: ClientUser; userId: string; messages: AccessLevel; post: AccessLevel },
) =>
  deps.db
    .system((trx) => findAccountUser(trx, input.owner.accountId, input.userId))
    .then((user) => {
      if (!user) throw new AppError('NOT_FOUND', 'No such colleague in your account');
      if (user.role !== 'colleague') throw new AppError('CONFLICT', 'Owners always have full access');

      return user;
    })
    .then((user) =>
      deps.db.tenant(input.owner.accountId, async (trx) => {
        await upsertAccess(trx, {
          accountId: input.owner.accountId,
          userId: input.userId,
          messages: input.messages,
          post: input.post,
          at: deps.clock.now(),
        });
        await recordAudit(trx, deps.clock, {
          accountId: input.owner.accountId,
          actor: { id: input.owner.id, role: input.owner.role },
          action: 'colleague.access_set',
          entity: 'user',
          entityId: input.userId,
          subjectId: user.subject_id,
          purpose: 'account_administration',
          details: { messages: input.messages, post: input.post },
        });

        return { userId: input.userId, messages: input.messages, post: input.post };
      }),
    );

/**
 * Creates the colleague as a person of the account (sealed name and e-mail), stores a one-time token's hash and
 * e-mails the link. The token itself is never stored.
 */
export const inviteColleague = async (
  deps: Deps,
  input: { owner: ClientUser; name: string; email: string; messages: AccessLevel; post: AccessLevel },
) => {
  const loginBidx = deps.vault.blindIndex('email', 'login', input.email);
  const taken = await deps.db.system((trx) => findUserByLogin(trx, loginBidx));
  if (taken)
    throw new AppError('CONFLICT', 'Someone with this e-mail already has a sign-in', { fields: { email: 'taken' } });
  const token = newToken();
  const id = crypto.randomUUID();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + INVITE_DAYS * 86_400_000);
  await deps.db.tenant(input.owner.accountId, async (trx) => {
    const subjectId = await createSubject(deps, trx, {
      accountId: input.owner.accountId,
      kind: 'client_user',
      name: input.name,
      email: input.email,
      source: 'invited by the account owner',
      actor: { id: input.owner.id, role: input.owner.role },
      purpose: 'account_administration',
    });
    await insertInvitation(trx, {
      id,
      accountId: input.owner.accountId,
      subjectId,
      tokenHash: hashToken(token),
      messages: input.messages,
      post: input.post,
      invitedBy: input.owner.id,
      expiresAt,
      at: now,
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.owner.accountId,
      actor: { id: input.owner.id, role: input.owner.role },
      action: 'colleague.invite',
      entity: 'colleague_invitation',
      entityId: id,
      subjectId,
      fields: ['name', 'email'],
      purpose: 'account_administration',
      details: { messages: input.messages, post: input.post },
    });
  });
  const link = `${deps.config.publicUrl}/accept-invitation#${token}`;
  const mailed = await sendServiceMail(deps, {
    accountId: input.owner.accountId,
    userId: input.owner.id,
    to: input.email,
    kind: 'account',
    logAs: null,
    subject: 'You have been invited to your team’s client portal',
    text: [
      `Hello ${input.name},`,
      '',
      'You have been invited to see phone messages and post taken for your business.',
      `Choose a password to accept (the link works for ${INVITE_DAYS} days):`,
      link,
      '',
      'If you did not expect this, ignore this e-mail: nothing happens until you accept.',
    ].join('\n'),
  });

  return { invitationId: id, expiresAt: expiresAt.toISOString(), mailed: mailed === 'sent', token };
};

/** Public: the invitee chooses a password; their sign-in and the access the owner chose are created together. */
export const acceptInvitation = async (
  deps: Pick<Kernel, 'db' | 'vault' | 'clock'>,
  input: { token: string; password: string },
) => {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `The password needs at least ${MIN_PASSWORD_LENGTH} characters`, {
      fields: { password: `at least ${MIN_PASSWORD_LENGTH} characters` },
    });
  }
  const passwordHash = await hashPassword(input.password);

  return deps.db.system(async (trx) => {
    const now = deps.clock.now();
    const invitation = await findInvitationByToken(trx, hashToken(input.token));
    if (!invitation || invitation.accepted_at || invitation.expires_at <= now) {
      throw new AppError('NOT_FOUND', 'This invitation is not valid any more: ask for a new one');
    }
    const subject = await trx
      .selectFrom('subjects')
      .select('email')
      .where('id', '=', invitation.subject_id)
      .executeTakeFirst();
    const email = subject?.email ? await deps.vault.open(trx, subject.email, 'subjects.email') : null;
    if (!email) throw new AppError('NOT_FOUND', 'This invitation is not valid any more: ask for a new one');
    const loginBidx = deps.vault.blindIndex('email', 'login', email);
    if (await findUserByLogin(trx, loginBidx)) throw new AppError('CONFLICT', 'This e-mail already has a sign-in');
    const { id } = await insertUser(trx, {
      accountId: invitation.account_id,
      subjectId: invitation.subject_id,
      role: 'colleague',
      loginBidx,
      passwordHash,
      createdAt: now,
    });
    await upsertAccess(trx, {
      accountId: invitation.account_id,
      userId: id,
      messages: invitation.messages,
      post: invitation.post,
      at: now,
    });
    await markInvitationAccepted(trx, invitation.id, now);
    await recordAudit(trx, deps.clock, {
      accountId: invitation.account_id,
      actor: { id, role: 'colleague' },
      action: 'colleague.accept',
      entity: 'user',
      entityId: id,
      subjectId: invitation.subject_id,
      fields: ['password'],
      purpose: 'account_administration',
    });

    return { userId: id };
  });
};
