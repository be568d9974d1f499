/**
 * @module The known-caller panel: while a receptionist types a number or e-mail, the caller this client already
 * knows, and their earlier messages for this client. Each look-up that shows someone is an audited read.
 *
 * @example
 * const { caller, messages } = await findCaller(kernel, { accountId, actor, phone: '020 7946 0001' })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requirePurpose } from '../kernel/policy/policy.ts';
import { type Caller, type MessageView, readCaller, readMessagesOfCaller } from './read-messages.ts';
import { MESSAGE_PURPOSE, matchCaller } from './take-message.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy'>;

export const findCaller = (
  deps: Deps,
  input: { accountId: string; actor: Actor; phone?: string | undefined; email?: string | undefined },
): Promise<{ caller: Caller | null; messages: Omit<MessageView, 'caller'>[] }> =>
  deps.db.tenant(input.accountId, async (trx) => {
    const subjectId = await matchCaller(deps, trx, input.accountId, { phone: input.phone, email: input.email });
    if (!subjectId) return { caller: null, messages: [] };
    const allowed = await requirePurpose(trx, deps.policy, {
      accountId: input.accountId,
      subjectId,
      purpose: MESSAGE_PURPOSE,
      operation: 'use',
    }).catch(() => null);
    if (!allowed) return { caller: null, messages: [] };
    const caller = await readCaller(deps, trx, subjectId);
    const messages = (await readMessagesOfCaller(deps, trx, input.accountId, subjectId, 10)).map(
      ({ caller: _c, ...m }) => m,
    );
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'subject.read',
      entity: 'subject',
      entityId: subjectId,
      subjectId,
      fields: ['name', 'email', 'phone'],
      purpose: MESSAGE_PURPOSE,
      details: { via: 'known-caller' },
    });
    if (messages.length > 0) {
      await recordAudit(trx, deps.clock, {
        accountId: input.accountId,
        actor: input.actor,
        action: 'message.read',
        entity: 'phone_message',
        subjectId,
        fields: ['company', 'reason', 'body'],
        purpose: MESSAGE_PURPOSE,
        details: { count: messages.length, via: 'known-caller' },
      });
    }

    return { caller, messages };
  });
