/**
 * @module The e-mails a rights request sends: to the person (their code, each step, the answer) and to the people
 * who must answer (a part routed to a client, reminders before the due date). All are service mail: they go even to
 * someone who opted out of marketing, because the law requires them.
 *
 * @example
 * await sendRequestMail(kernel, { to, template: 'extended', reason: 'Several linked requests', dueOn: '2027-02-25' })
 */
import type { Trx } from '../kernel/db/database.ts';
import type { RightsRequestKind } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { listUserAddresses } from './rights-repository.ts';

type Deps = Pick<Kernel, 'mailer' | 'config' | 'policyFile'>;

export const KIND_LABELS: Readonly<Record<RightsRequestKind, string>> = {
  access: 'a copy of your personal data',
  portability: 'your data in a portable format',
  rectification: 'correcting your personal data',
  erasure: 'erasing your personal data',
  restriction: 'restricting the use of your personal data',
  objection: 'objecting to our use of your personal data',
  object_direct_marketing: 'stopping direct marketing to you',
  withdraw_consent: 'withdrawing your consent',
};

export type RequestMail =
  | { template: 'verification_code'; kind: RightsRequestKind; code: string; expiresAt: Date }
  | { template: 'received'; kind: RightsRequestKind; statusToken: string }
  | { template: 'verified'; requestId: string; statusToken: string }
  | { template: 'routed_to_client'; kind: RightsRequestKind }
  | { template: 'clarification'; question: string; statusToken: string | null }
  | { template: 'fee_requested'; amountPence: number; reason: string; statusToken: string | null }
  | { template: 'extended'; reason: string; dueOn: string; statusToken: string | null }
  | { template: 'completed'; kind: RightsRequestKind; answeredBy: string; statusToken: string | null }
  | { template: 'refused'; kind: RightsRequestKind; reason: string; answeredBy: string; statusToken: string | null }
  | { template: 'restriction_lifting'; answeredBy: string; statusToken: string | null }
  | { template: 'reminder'; kind: RightsRequestKind; dueOn: string; daysLeft: number; requestId: string };

export const statusUrl = (deps: Pick<Kernel, 'config'>, token: string) =>
  `${deps.config.publicUrl.replace(/\/$/, '')}/privacy/requests/status#${token}`;

const complaintText = (deps: Deps) => {
  const authority = deps.policyFile.file.controller.supervisoryAuthority;

  return `If you are unhappy with this answer you may complain to ${authority.name} (${authority.web}) and you may seek a remedy through the courts. ${authority.howToComplain}`;
};

const compose = (deps: Deps, mail: RequestMail): { subject: string; lines: string[] } => {
  const business = deps.policyFile.file.controller.tradingName ?? deps.policyFile.file.controller.name;
  const link = (token: string | null) => (token ? [`Follow your request here: ${statusUrl(deps, token)}`] : []);
  switch (mail.template) {
    case 'verification_code':
      return {
        subject: `Your code: ${mail.code}`,
        lines: [
          `Someone, hopefully you, asked ${business} about ${KIND_LABELS[mail.kind]}.`,
          `To confirm it is you, enter this code on the page you came from: ${mail.code}`,
          `The code works until ${mail.expiresAt.toISOString().slice(11, 16)} UTC today. If you did not ask, ignore this e-mail: nothing happens without the code.`,
        ],
      };
    case 'received':
      return {
        subject: 'We have your request',
        lines: [`${business} has received your request about ${KIND_LABELS[mail.kind]}.`, ...link(mail.statusToken)],
      };
    case 'verified':
      return {
        subject: 'Your request is confirmed',
        lines: [
          'Thank you for confirming your e-mail address. The time we have to answer starts today.',
          ...link(mail.statusToken),
        ],
      };
    case 'routed_to_client':
      return {
        subject: 'A privacy rights request needs your answer',
        lines: [
          `Someone whose data we hold on your behalf has asked about ${KIND_LABELS[mail.kind]}.`,
          'You are the controller of that data, so the answer is yours. Sign in to the portal and open "Rights requests" to see it, its due date and the tools to answer it.',
        ],
      };
    case 'clarification':
      return {
        subject: 'We need a little more information',
        lines: [
          'To answer your request we need to ask:',
          mail.question,
          'The time to answer stands still until we hear from you. Reply to this e-mail.',
          ...link(mail.statusToken),
        ],
      };
    case 'fee_requested':
      return {
        subject: 'About a fee for your request',
        lines: [
          `We may charge a fee of £${(mail.amountPence / 100).toFixed(2)} for this request: ${mail.reason}`,
          'The time to answer starts when the fee is paid.',
          ...link(mail.statusToken),
        ],
      };
    case 'extended':
      return {
        subject: 'We need more time to answer your request',
        lines: [
          `We are extending the time to answer your request to ${mail.dueOn}, as the law allows, because: ${mail.reason}`,
          ...link(mail.statusToken),
        ],
      };
    case 'completed':
      return {
        subject: 'Your request has been answered',
        lines: [
          `${mail.answeredBy} has answered your request about ${KIND_LABELS[mail.kind]}.`,
          ...link(mail.statusToken),
        ],
      };
    case 'refused':
      return {
        subject: 'About your request',
        lines: [
          `${mail.answeredBy} cannot act on your request about ${KIND_LABELS[mail.kind]}, because: ${mail.reason}`,
          complaintText(deps),
          ...link(mail.statusToken),
        ],
      };
    case 'restriction_lifting':
      return {
        subject: 'The restriction on your data is about to be lifted',
        lines: [
          `${mail.answeredBy} is lifting the restriction you asked for, so your data may be used again for the purposes in our privacy notice.`,
          ...link(mail.statusToken),
        ],
      };
    case 'reminder':
      return {
        subject: `Rights request due in ${mail.daysLeft} days`,
        lines: [
          `A request about ${KIND_LABELS[mail.kind]} is due on ${mail.dueOn} (${mail.daysLeft} days left).`,
          `Open it: ${deps.config.publicUrl.replace(/\/$/, '')}/rights/${mail.requestId}`,
        ],
      };
  }
};

export const sendRequestMail = async (deps: Deps, mail: RequestMail & { to: string }) => {
  const { subject, lines } = compose(deps, mail);
  await deps.mailer.send({ to: mail.to, subject, text: `${lines.join('\n\n')}\n`, class: 'service' });
};

/** The e-mail addresses of active users in the given roles, opened for sending. */
export const userAddresses = async (
  deps: Pick<Kernel, 'vault'>,
  trx: Trx,
  accountIds: readonly string[],
  roles: readonly string[],
) => {
  const rows = await listUserAddresses(trx, accountIds, roles);
  const addresses: { userId: string; accountId: string; email: string }[] = [];
  for (const row of rows) {
    const email = row.email ? await deps.vault.open(trx, row.email, 'subjects.email') : null;
    if (email) addresses.push({ userId: row.id, accountId: row.account_id, email });
  }

  return addresses;
};
