/**
 * @module CP-2: before disclosing account information by phone, staff check that the caller is the client user they
 * say they are, against the factors the policy names (`rights.identityVerification`). Answers are compared by blind
 * index with the user's sealed, registered values; the outcome and the factor names (never the answers) go to the
 * audit trail, and account details are released only to the same staff member within minutes of a pass.
 *
 * @example
 * const { verificationId, outcome } = await verifyCaller(kernel, { accountId, actor, clientUserId, answers: { email } })
 * if (outcome === 'pass') await accountDetailsAfterVerification(kernel, { accountId, actor, verificationId })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';

export const VERIFICATION_VALID_MS = 10 * 60_000;
const MAX_FAILS = 5;

export type Factor = 'email' | 'phone';

export const FACTOR_LABELS: Record<Factor, string> = {
  phone: 'Registered phone number',
  email: 'Registered e-mail address',
};

/**
 * The factors a policy's wording names that can be checked against what is held. A named factor that is not held
 * (such as date of birth) cannot be checked and is left out; when none is left, phone and e-mail.
 */
export const policyFactors = (texts: readonly string[]): Factor[] => {
  const all = texts.join(' ').toLowerCase();
  const found: Factor[] = [];
  if (/phone|mobile|telephone/.test(all)) found.push('phone');
  if (/e-?mail/.test(all)) found.push('email');

  return found.length > 0 ? found : ['phone', 'email'];
};

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policyFile'>;

const factorsOf = (deps: Pick<Kernel, 'policyFile'>) => policyFactors(deps.policyFile.file.rights.identityVerification);

const clientUsers = (deps: Pick<Kernel, 'db'>, accountId: string) =>
  deps.db.system((trx) =>
    trx
      .selectFrom('users')
      .select(['id', 'subject_id', 'role'])
      .where('account_id', '=', accountId)
      .where('status', '=', 'active')
      .where('role', 'in', ['owner', 'colleague'])
      .orderBy('created_at')
      .execute(),
  );

/** What the verification screen needs: the policy's wording, the factors to ask, and who may be calling. */
export const verificationSetup = async (deps: Deps, input: { accountId: string; actor: Actor }) => {
  const users = await clientUsers(deps, input.accountId);
  const named = await deps.db.tenant(input.accountId, async (trx) => {
    const out: { userId: string; name: string | null; role: string }[] = [];
    for (const u of users) {
      const s = await trx.selectFrom('subjects').select('name').where('id', '=', u.subject_id).executeTakeFirst();
      out.push({
        userId: u.id,
        name: s?.name ? await deps.vault.open(trx, s.name, 'subjects.name') : null,
        role: u.role,
      });
    }
    if (out.length > 0) {
      await recordAudit(trx, deps.clock, {
        accountId: input.accountId,
        actor: input.actor,
        action: 'user.list',
        entity: 'user',
        fields: ['name'],
        purpose: 'account_administration',
        details: { count: out.length, via: 'caller-verification' },
      });
    }

    return out;
  });

  return {
    policyText: [...deps.policyFile.file.rights.identityVerification],
    factors: factorsOf(deps).map((id) => ({ id, label: FACTOR_LABELS[id] })),
    users: named,
  };
};

export const verifyCaller = async (
  deps: Deps,
  input: {
    accountId: string;
    actor: Actor & { id: string };
    clientUserId: string;
    answers: Partial<Record<Factor, string>>;
  },
) => {
  const user = (await clientUsers(deps, input.accountId)).find((u) => u.id === input.clientUserId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user for this client');
  const now = deps.clock.now();

  return deps.db.tenant(input.accountId, async (trx) => {
    const recentFails = await trx
      .selectFrom('caller_verifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('client_user_id', '=', user.id)
      .where('outcome', '=', 'fail')
      .where('created_at', '>', new Date(now.getTime() - VERIFICATION_VALID_MS))
      .executeTakeFirstOrThrow();
    if (Number(recentFails.n) >= MAX_FAILS) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many failed checks for this person: wait ten minutes, or verify them another way',
      );
    }
    const subject = await trx
      .selectFrom('subjects')
      .select(['email_bidx', 'phone_bidx'])
      .where('id', '=', user.subject_id)
      .executeTakeFirstOrThrow();
    const held: Record<Factor, Buffer | null> = { email: subject.email_bidx, phone: subject.phone_bidx };
    // Only what is held can be checked; a factor the person never registered is not asked.
    const asked = factorsOf(deps).filter((f) => held[f] !== null);
    if (asked.length === 0)
      throw new AppError('CONFLICT', 'Nothing is held for this person that the policy lets us check by phone');
    const matches = asked.map((f) => {
      const answer = input.answers[f]?.trim();
      const registered = held[f];

      return Boolean(
        answer && registered && crypto.timingSafeEqual(deps.vault.blindIndex(f, input.accountId, answer), registered),
      );
    });
    const outcome: 'pass' | 'fail' = matches.every(Boolean) ? 'pass' : 'fail';
    const id = crypto.randomUUID();
    await trx
      .insertInto('caller_verifications')
      .values({
        id,
        account_id: input.accountId,
        staff_user_id: input.actor.id,
        client_user_id: user.id,
        factors: asked,
        outcome,
        created_at: now,
      })
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'identity.verify',
      entity: 'user',
      entityId: user.id,
      subjectId: user.subject_id,
      fields: asked,
      purpose: 'security',
      details: { outcome, verificationId: id, channel: 'phone' },
    });

    return {
      verificationId: id,
      outcome,
      factors: asked,
      expiresAt: outcome === 'pass' ? new Date(now.getTime() + VERIFICATION_VALID_MS).toISOString() : null,
    };
  });
};

/** Account details for the verified caller: only after a pass, by the same staff member, within ten minutes. */
export const accountDetailsAfterVerification = async (
  deps: Deps,
  input: { accountId: string; actor: Actor & { id: string }; verificationId: string },
) => {
  const now = deps.clock.now();
  const verification = await deps.db.tenant(input.accountId, (trx) =>
    trx.selectFrom('caller_verifications').selectAll().where('id', '=', input.verificationId).executeTakeFirst(),
  );
  if (
    verification?.outcome !== 'pass' ||
    verification.staff_user_id !== input.actor.id ||
    now.getTime() - verification.created_at.getTime() > VERIFICATION_VALID_MS
  ) {
    throw new AppError(
      'FORBIDDEN',
      'Verify the caller first: account details need a passed check from the last ten minutes',
      {
        verification: 'required',
      },
    );
  }
  const user = (await clientUsers(deps, input.accountId)).find((u) => u.id === verification.client_user_id);
  if (!user) throw new AppError('NOT_FOUND', 'This user no longer exists');

  return deps.db.tenant(input.accountId, async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['name', 'status', 'created_at', 'trial_started_at', 'subscribed_at', 'cancelled_at'])
      .where('id', '=', input.accountId)
      .executeTakeFirstOrThrow();
    const subject = await trx
      .selectFrom('subjects')
      .select(['name', 'email', 'phone'])
      .where('id', '=', user.subject_id)
      .executeTakeFirstOrThrow();
    const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
    const count = async (table: 'phone_messages' | 'post_items') =>
      Number(
        (
          await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const details = {
      account: {
        name: account.name,
        status: account.status,
        createdAt: account.created_at.toISOString(),
        subscribedAt: account.subscribed_at?.toISOString() ?? null,
        cancelledAt: account.cancelled_at?.toISOString() ?? null,
      },
      caller: {
        userId: user.id,
        role: user.role,
        name: await open(subject.name, 'subjects.name'),
        email: await open(subject.email, 'subjects.email'),
        phone: await open(subject.phone, 'subjects.phone'),
      },
      counts: { messages: await count('phone_messages'), post: await count('post_items') },
      verifiedUntil: new Date(verification.created_at.getTime() + VERIFICATION_VALID_MS).toISOString(),
    };
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'data.disclose',
      entity: 'account',
      entityId: input.accountId,
      subjectId: user.subject_id,
      fields: ['name', 'email', 'phone', 'account'],
      purpose: 'account_administration',
      details: { channel: 'phone', verificationId: verification.id },
    });

    return details;
  });
};
