/**
 * @module Sending mail by class. Marketing goes through `checkMarketingRecipient` at send time and carries RFC 8058
 * one-click unsubscribe; service mail (the policy's essential messages) ignores marketing opt-outs but must not
 * carry promotional content, and stops for a deactivated account unless the law requires it.
 *
 * @example
 * await sendMarketingEmail(kernel, { accountId, subjectId, topic: 'marketing', subject: 'News', text: '…' })
 * await sendServiceEmail(kernel, { accountId, subjectId, message: 'billing', subject: 'Your invoice', text: '…' })
 */

import { type Actor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { marketingTopics, recordMarketingChoiceIn } from './consent-records.ts';
import { latestConsentRecords } from './consent-repository.ts';
import { checkMarketingRecipient, type MarketingVerdict } from './marketing-check.ts';
import { subjectAddresses, suppressAddresses } from './suppression.ts';
import { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'policyFile' | 'mailer' | 'keyring' | 'config'>;

/** Messages the law requires even after an account is deactivated (breach notices, answers to rights requests). */
export const LAW_REQUIRED_MESSAGES: readonly string[] = ['breach_notices', 'rights_request'];

/** Words that make a message promotional: service mail containing them is refused (the ICO's "neutral in tone"). */
const PROMOTIONAL =
  /\b(offer|discount|% off|deal|upgrade now|special price|promo(tion)?|newsletter|buy now|limited time|free trial)\b/i;

export const isPromotional = (text: string) => PROMOTIONAL.test(text);

/**
 * RFC 8058 wants an HTTPS link. The base is PUBLIC_URL as configured: rewriting http to https would send people to
 * an address nobody serves, so a development http URL is kept and `unsubscribeUrlWarning` says so once at start-up.
 */
export const unsubscribeUrlWarning = (config: Pick<Kernel['config'], 'publicUrl'>) =>
  /^https:\/\//i.test(config.publicUrl)
    ? null
    : 'PUBLIC_URL is not https: one-click unsubscribe links in marketing e-mail use it as it is, but RFC 8058 requires HTTPS in production';

export const unsubscribeUrl = (
  deps: Pick<Kernel, 'keyring' | 'config' | 'clock'>,
  accountId: string,
  subjectId: string,
) => {
  const base = deps.config.publicUrl.replace(/\/+$/, '');

  return `${base}/u/${unsubscribeToken(deps.keyring, { accountId, subjectId, now: deps.clock.now() })}`;
};

export type MarketingEmail = { accountId: string; subjectId: string; topic: string; subject: string; text: string };

/** In the caller's tenant transaction: the check and the send happen together, so a prior opt-out always wins. */
export const sendMarketingEmailIn = async (deps: Deps, trx: Trx, mail: MarketingEmail): Promise<MarketingVerdict> => {
  const verdict = await checkMarketingRecipient(deps, trx, {
    accountId: mail.accountId,
    subjectId: mail.subjectId,
    channel: 'email',
    topic: mail.topic,
  });
  if (!verdict.allowed) return verdict;
  const url = unsubscribeUrl(deps, mail.accountId, mail.subjectId);
  await deps.mailer.send({
    to: verdict.address,
    subject: mail.subject,
    text: `${mail.text}\n\n--\nYou get this because you agreed to hear from us. Unsubscribe with one click: ${url}\n`,
    class: 'marketing',
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  });
  await recordAudit(trx, deps.clock, {
    accountId: mail.accountId,
    actor: SYSTEM_ACTOR,
    action: 'marketing.send',
    entity: 'subject',
    entityId: mail.subjectId,
    subjectId: mail.subjectId,
    fields: ['email'],
    purpose: mail.topic,
    details: { channel: 'email', softOptIn: verdict.softOptIn },
  });

  return verdict;
};

export const sendMarketingEmail = (deps: Deps, mail: MarketingEmail) =>
  deps.db.tenant(mail.accountId, (trx) => sendMarketingEmailIn(deps, trx, mail));

export type ServiceEmail = {
  accountId: string;
  subjectId: string;
  /** An essential-message id from the policy (`marketing.essentialMessages`), or `rights_request`. */
  message: string;
  subject: string;
  text: string;
};

export const sendServiceEmail = (deps: Deps, mail: ServiceEmail) =>
  deps.db.tenant(
    mail.accountId,
    async (trx): Promise<{ sent: true } | { sent: false; reason: 'account_deactivated' | 'no_address' }> => {
      const known = deps.policyFile.file.marketing.essentialMessages.some((m) => m.id === mail.message);
      if (!known && !LAW_REQUIRED_MESSAGES.includes(mail.message)) {
        throw new AppError('VALIDATION_FAILED', `"${mail.message}" is not an essential message of this notice`);
      }
      if (isPromotional(`${mail.subject}\n${mail.text}`)) {
        throw new AppError(
          'VALIDATION_FAILED',
          'A service message must not carry promotional content: send it as marketing',
        );
      }
      const found = await subjectAddresses(deps, trx, mail.subjectId);
      if (!found || found.row.account_id !== mail.accountId)
        throw new AppError('NOT_FOUND', 'No such person in this account');
      if (found.row.account_status === 'deactivated' && !LAW_REQUIRED_MESSAGES.includes(mail.message)) {
        return { sent: false, reason: 'account_deactivated' };
      }
      if (!found.email) return { sent: false, reason: 'no_address' };
      await deps.mailer.send({
        to: found.email,
        subject: mail.subject,
        text: mail.text,
        class: 'service',
        headers: { 'X-Custodian-Message': mail.message },
      });

      return { sent: true };
    },
  );

/**
 * One-click unsubscribe: every marketing topic by e-mail refused, and the address suppressed. Idempotent: a second
 * POST finds nothing given and writes nothing new. An erased person's link answers the same, having nothing to do.
 */
export const unsubscribeByToken = async (
  deps: Deps,
  token: string,
  actor: Actor = { id: null, role: 'data_subject' },
) => {
  const target = verifyUnsubscribeToken(deps.keyring, token, deps.clock.now());
  if (!target) throw new AppError('BAD_REQUEST', 'This unsubscribe link is not valid or has expired');

  return deps.db.tenant(target.accountId, async (trx) => {
    const found = await subjectAddresses(deps, trx, target.subjectId);
    if (!found) return { changed: 0 };
    const latest = await latestConsentRecords(trx, target.accountId, target.subjectId);
    let changed = 0;
    for (const topic of marketingTopics(deps)) {
      const current = latest.find((r) => r.channel === 'email' && r.topic === topic);
      if (current?.state !== 'given') continue;
      await recordMarketingChoiceIn(deps, trx, {
        accountId: target.accountId,
        subjectId: target.subjectId,
        channel: 'email',
        topic,
        state: 'withdrawn',
        basis: current.basis === 'objection' ? 'consent' : current.basis,
        method: 'one-click-unsubscribe',
        actor,
      });
      changed += 1;
    }
    await suppressAddresses(deps, trx, { email: found.email }, 'unsubscribe');

    return { changed };
  });
};
