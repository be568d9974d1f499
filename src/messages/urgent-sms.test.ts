import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount } from '../../test/support/office-fixtures.ts';
import { startSmsWebhook } from '../../test/support/sms-webhook.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { createUser } from '../auth/auth.ts';
import { setColleagueAccess } from '../colleagues/colleagues.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { deliverPendingNotifications, listDeliveries } from './deliver-notifications.ts';
import { takeMessage } from './take-message.ts';

const OWNER_PHONE = '+44 7700 900555';

describe('urgent messages by SMS through the webhook provider', () => {
  let kernel: TestKernel;
  let webhook: Awaited<ReturnType<typeof startSmsWebhook>>;
  let office: Awaited<ReturnType<typeof createOfficeAccount>>;
  let actor: { id: string; role: string };

  beforeAll(async () => {
    webhook = await startSmsWebhook();
    kernel = await createTestKernel({ env: { SMS_WEBHOOK_URL: webhook.url, SMS_WEBHOOK_TOKEN: 'webhook-token-1' } });
    await ensureProviderAccount(kernel, 'Provider');
    office = await createOfficeAccount(kernel, 'Texting Dental');
    const owner = { id: office.owner.userId, role: 'owner', accountId: office.accountId };
    // The colleague may see messages but has no phone number on record: e-mail only.
    await setColleagueAccess(kernel, { owner, userId: office.colleague.userId, messages: 'view', post: 'none' });
    await kernel.db.system(async (trx) =>
      trx
        .updateTable('subjects')
        .set({ phone: await kernel.vault.seal(trx, office.owner.subjectId, 'subjects.phone', OWNER_PHONE) })
        .where('id', '=', office.owner.subjectId)
        .execute(),
    );
    const { userId } = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'receptionist',
      name: 'Rita Desk',
      email: 'rita@provider.test',
      password: 'a long enough password',
    });
    actor = { id: userId, role: 'receptionist' };
  });
  afterAll(async () => {
    await kernel?.close();
    await webhook?.close();
  });

  const take = (deps: TestKernel | (TestKernel & { sms: null }), urgency: 'normal' | 'urgent', message: string) =>
    takeMessage(deps, {
      accountId: office.accountId,
      actor,
      callerName: 'Una Urgent',
      phone: '020 7946 0321',
      message,
      urgency,
      callbackRequested: true,
      idempotencyKey: crypto.randomUUID(),
    });

  const settled = async (messageId: string) => {
    let deliveries: Awaited<ReturnType<typeof listDeliveries>> = [];
    await vi.waitFor(
      async () => {
        deliveries = await listDeliveries(kernel, { accountId: office.accountId, messageId });
        expect(deliveries.length).toBeGreaterThan(0);
        expect(deliveries.every((d) => d.status !== 'queued')).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );

    // E-mail rows come before SMS rows; within a channel the order is by id, so sort by name to compare.
    return deliveries
      .map((d) => ({ recipient: d.recipient, channel: d.channel, status: d.status }))
      .sort((a, b) => a.channel.localeCompare(b.channel) || String(b.recipient).localeCompare(String(a.recipient)));
  };

  it('texts each recipient with a phone number, records it as an sms notification, and lists it for the desk', async () => {
    const before = webhook.received.length;
    const receipt = await take(kernel, 'urgent', 'SMSBODY-4412 the autoclave is smoking');

    expect(await settled(receipt.messageId)).toEqual([
      { recipient: 'Olive Owner', channel: 'email', status: 'sent' },
      { recipient: 'Colin Colleague', channel: 'email', status: 'sent' },
      { recipient: 'Olive Owner', channel: 'sms', status: 'sent' },
    ]);
    expect(webhook.received.length - before).toBe(1);
    const sms = webhook.received[before];
    expect(sms?.authorization).toBe('Bearer webhook-token-1');
    const { to, body } = (sms?.json ?? {}) as { to?: string; body?: string };
    expect(to).toBe(OWNER_PHONE);
    // A service text: who called, the number to ring back, where to read it. The message itself stays off the
    // gateway, and there is nothing promotional in it.
    expect(body).toBe(
      `Urgent phone message for Texting Dental from Una Urgent, call back on 020 7946 0321 (call back requested). ` +
        `Read it in your inbox: ${kernel.config.publicUrl}/portal/inbox`,
    );
    expect(body).not.toContain('SMSBODY-4412');
    // The delivery is audited once every row has settled.
    await vi.waitFor(
      async () => {
        const audit = await kernel.db.system((trx) =>
          trx
            .selectFrom('audit_events')
            .select('details')
            .where('action', '=', 'message.deliver')
            .where('entity_id', '=', receipt.messageId)
            .executeTakeFirst(),
        );
        expect(audit?.details).toMatchObject({ channel: 'email+sms', sent: 3, failed: 0 });
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it('sends no SMS for a normal message', async () => {
    const before = webhook.received.length;
    const receipt = await take(kernel, 'normal', 'Routine call');
    const rows = await kernel.db.tenant(office.accountId, (trx) =>
      trx.selectFrom('notifications').select('channel').where('item_id', '=', receipt.messageId).execute(),
    );

    expect(rows.every((r) => r.channel === 'email')).toBe(true);
    expect(webhook.received.length).toBe(before);
  });

  it('queues and sends no SMS when no provider is configured', async () => {
    const before = webhook.received.length;
    const receipt = await take({ ...kernel, sms: null }, 'urgent', 'No gateway here');

    expect(await settled(receipt.messageId)).toEqual([
      { recipient: 'Olive Owner', channel: 'email', status: 'sent' },
      { recipient: 'Colin Colleague', channel: 'email', status: 'sent' },
    ]);
    expect(webhook.received.length).toBe(before);
  });

  it('records a failed SMS when the gateway answers 500, and the sweeper sends it once the gateway recovers', async () => {
    webhook.answer(500);
    const before = webhook.received.length;
    const receipt = await take(kernel, 'urgent', 'Gateway down');
    const first = await settled(receipt.messageId);
    webhook.answer(202);

    expect(first.filter((d) => d.channel === 'sms')).toEqual([
      { recipient: 'Olive Owner', channel: 'sms', status: 'failed' },
    ]);
    expect(first.filter((d) => d.channel === 'email').map((d) => d.status)).toEqual(['sent', 'sent']);
    expect(webhook.received.length - before).toBe(1);

    kernel.clock.advance({ minutes: 2 });
    await deliverPendingNotifications(kernel);
    const retried = await listDeliveries(kernel, { accountId: office.accountId, messageId: receipt.messageId });

    expect(retried.filter((d) => d.channel === 'sms').map((d) => [d.status, d.attempts])).toEqual([['sent', 2]]);
    expect(webhook.received.length - before).toBe(2);
  });
});
