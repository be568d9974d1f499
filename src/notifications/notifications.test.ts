import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, signIn } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { changeAccountStatus } from '../accounts/account-lifecycle.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import { setColleagueAccess } from '../colleagues/colleagues.ts';
import type { App } from '../kernel/http/types.ts';
import {
  listRecipients,
  sendDailyDigests,
  sendServiceAnnouncement,
  setNotificationPreference,
} from './notifications.ts';

const BILLING = { id: '00000000-0000-4000-8000-0000000000bb', role: 'billing' };

describe('notifications and the account lifecycle', () => {
  let kernel: TestKernel;
  let app: App;

  beforeAll(async () => {
    kernel = await createTestKernel({ start: new Date('2026-11-23T06:00:00Z') });
    await ensureProviderAccount(kernel, 'Provider');
    app = await buildApp(kernel);
  });
  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  const recipients = (accountId: string, kind: 'message' | 'post', urgency: 'normal' | 'urgent') =>
    listRecipients(kernel, accountId, kind, urgency).then((r) => r.map((x) => x.email).sort());

  it('recipientsFor: per-item users who may see the kind; urgent messages reach everyone who may see them', async () => {
    const office = await createOfficeAccount(kernel, 'Notify Co');
    const owner = { id: office.owner.userId, role: 'owner', accountId: office.accountId };
    await setColleagueAccess(kernel, { owner, userId: office.colleague.userId, messages: 'view', post: 'none' });
    expect(await recipients(office.accountId, 'message', 'normal')).toEqual(
      [office.colleague.email, office.owner.email].sort(),
    );
    expect(await recipients(office.accountId, 'post', 'normal')).toEqual([office.owner.email]);

    await setNotificationPreference(kernel, {
      user: { id: office.colleague.userId, role: 'colleague', accountId: office.accountId },
      mode: 'none',
    });
    await setNotificationPreference(kernel, { user: owner, mode: 'daily_digest' });
    expect(await recipients(office.accountId, 'message', 'normal')).toEqual([]);
    expect(await recipients(office.accountId, 'message', 'urgent')).toEqual(
      [office.colleague.email, office.owner.email].sort(),
    );

    // Withdrawn access: not told about items they may no longer see, however urgent.
    await setColleagueAccess(kernel, { owner, userId: office.colleague.userId, messages: 'none', post: 'none' });
    expect(await recipients(office.accountId, 'message', 'urgent')).toEqual([office.owner.email]);
  });

  it('sends the daily digest (counts only) to users who chose it, once a day', async () => {
    const office = await createOfficeAccount(kernel, 'Digest Co');
    const owner = { id: office.owner.userId, role: 'owner', accountId: office.accountId };
    await setNotificationPreference(kernel, { user: owner, mode: 'daily_digest' });
    await seedMessage(kernel, {
      accountId: office.accountId,
      caller: { name: 'Dora Digest', phone: '2' },
      body: 'DIGEST-SECRET',
      urgency: 'urgent',
    });
    await seedPostItem(kernel, { accountId: office.accountId, sender: 'Sender' });
    kernel.clock.advance({ hours: 1 });
    kernel.sent.length = 0;
    await sendDailyDigests(kernel);
    const digest = kernel.sent.filter((m) => m.to === office.owner.email);
    expect(digest).toHaveLength(1);
    expect(digest[0]).toMatchObject({ class: 'service', subject: 'Your daily summary: 1 message(s), 1 post item(s)' });
    expect(digest[0]?.text).toContain('1 urgent');
    expect(digest[0]?.text).not.toContain('DIGEST-SECRET');
    expect(kernel.sent.some((m) => m.to === office.colleague.email)).toBe(false);
    await sendDailyDigests(kernel);
    expect(kernel.sent.filter((m) => m.to === office.owner.email)).toHaveLength(1);
  });

  it('AS-5: a free trial, then a subscription, then cancelling ends service e-mails; the dates are kept', async () => {
    const office = await createOfficeAccount(kernel, 'Lifecycle Co');
    let owner = await signIn(app, office.owner);
    const start = kernel.clock.now().toISOString();
    let account = (await app.inject({ method: 'GET', url: '/api/portal/account', headers: as(owner) })).json();
    expect(account).toMatchObject({
      status: 'trial',
      trialStartedAt: start,
      subscribedAt: null,
      history: [{ status: 'trial', at: start }],
    });

    kernel.clock.advance({ days: 14 });
    owner = await signIn(app, office.owner);
    const subscribed = await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(owner),
      payload: { to: 'subscribed' },
    });
    expect(subscribed.statusCode).toBe(200);
    expect(await recipients(office.accountId, 'message', 'normal')).toEqual([office.owner.email]);

    kernel.clock.advance({ days: 30 });
    owner = await signIn(app, office.owner);
    await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(owner),
      payload: { to: 'cancelled' },
    });
    account = (await app.inject({ method: 'GET', url: '/api/portal/account', headers: as(owner) })).json();
    expect(account).toMatchObject({ status: 'cancelled', trialStartedAt: start });
    expect(account.subscribedAt).not.toBeNull();
    expect(account.cancelledAt).toBe(kernel.clock.now().toISOString());
    expect(account.history.map((h: { status: string }) => h.status)).toEqual(['trial', 'subscribed', 'cancelled']);

    // No item mails, no urgent mails, no digest, no announcements.
    expect(await recipients(office.accountId, 'message', 'urgent')).toEqual([]);
    await setNotificationPreference(kernel, {
      user: { id: office.owner.userId, role: 'owner', accountId: office.accountId },
      mode: 'daily_digest',
    });
    await seedMessage(kernel, {
      accountId: office.accountId,
      caller: { name: 'Late Caller', phone: '3' },
      body: 'after cancelling',
    });
    kernel.clock.advance({ days: 1 });
    kernel.sent.length = 0;
    await sendDailyDigests(kernel);
    await sendServiceAnnouncement(kernel, { subject: 'Planned maintenance', text: 'The portal is down on Sunday.' });
    expect(kernel.sent.filter((m) => m.to === office.owner.email)).toEqual([]);
  });

  it('VO-7: service announcements cannot be refused by a notification preference, only by deactivating', async () => {
    const active = await createOfficeAccount(kernel, 'Announce Co');
    const gone = await createOfficeAccount(kernel, 'Deactivated Co');
    await setNotificationPreference(kernel, {
      user: { id: active.owner.userId, role: 'owner', accountId: active.accountId },
      mode: 'none',
    });
    await changeAccountStatus(kernel, { accountId: gone.accountId, to: 'deactivated', actor: BILLING });
    kernel.sent.length = 0;
    await sendServiceAnnouncement(kernel, { subject: 'Planned maintenance', text: 'The portal is down on Sunday.' });
    const to = kernel.sent.map((m) => m.to);
    expect(to).toContain(active.owner.email);
    expect(to).toContain(active.colleague.email);
    expect(to).not.toContain(gone.owner.email);
    expect(kernel.sent.every((m) => m.class === 'service')).toBe(true);
  });

  it('VO-15: the owner deactivates the account after typing the confirmation; it keeps the date and is sent nothing but the legally required', async () => {
    const office = await createOfficeAccount(kernel, 'Leaving Co');
    await seedMessage(kernel, { accountId: office.accountId, caller: { name: 'Some Caller', phone: '4' }, body: 'x' });
    const owner = await signIn(app, office.owner);
    const unconfirmed = await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(owner),
      payload: { to: 'deactivated' },
    });
    expect(unconfirmed.statusCode).toBe(400);
    const colleague = await signIn(app, office.colleague);
    const notOwner = await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(colleague),
      payload: { to: 'deactivated', confirmation: 'DEACTIVATE' },
    });
    expect(notOwner.statusCode).toBe(403);

    const res = await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(owner),
      payload: { to: 'deactivated', confirmation: 'DEACTIVATE' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'deactivated', deactivatedAt: kernel.clock.now().toISOString() });
    expect(res.json().trialStartedAt).not.toBeNull();
    const again = await app.inject({
      method: 'POST',
      url: '/api/portal/account/status',
      headers: as(owner),
      payload: { to: 'subscribed' },
    });
    expect(again.statusCode).toBe(409);

    expect(await recipients(office.accountId, 'message', 'urgent')).toEqual([]);
    kernel.sent.length = 0;
    await sendServiceAnnouncement(kernel, { subject: 'News', text: 'Anything.' });
    expect(kernel.sent.filter((m) => m.to === office.owner.email)).toEqual([]);
    kernel.sent.length = 0;
    // Deleting the data is still possible, and its receipt is the one mail the law asks for.
    const deleted = await app.inject({
      method: 'POST',
      url: '/api/portal/delete-all',
      headers: as(owner),
      payload: { confirmation: 'DELETE ALL DATA' },
    });
    expect(deleted.json()).toMatchObject({ receipt: 'sent' });
    expect(kernel.sent.map((m) => m.to)).toEqual([office.owner.email]);
  });

  it('staff billing can change an account’s status; a client cannot reach that route', async () => {
    const office = await createOfficeAccount(kernel, 'Billing Co');
    const owner = await signIn(app, office.owner);
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${office.accountId}/status`,
      headers: as(owner),
      payload: { to: 'subscribed' },
    });
    expect(res.statusCode).toBe(403);
  });
});
