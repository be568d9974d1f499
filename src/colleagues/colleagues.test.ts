import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, signIn } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, OFFICE_PASSWORD, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import type { App } from '../kernel/http/types.ts';

describe('colleagues and their access (AS-2)', () => {
  let kernel: TestKernel;
  let app: App;
  let office: Awaited<ReturnType<typeof createOfficeAccount>>;
  let messageId: string;
  let postId: string;

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Provider');
    office = await createOfficeAccount(kernel, 'Access Co');
    messageId = (
      await seedMessage(kernel, {
        accountId: office.accountId,
        caller: { name: 'Vera Caller', phone: '020 7946 0101' },
        body: 'Please call about the lease',
      })
    ).id;
    postId = (
      await seedPostItem(kernel, { accountId: office.accountId, sender: 'Parcel Sender Ltd', itemType: 'parcel' })
    ).id;
    app = await buildApp(kernel);
  });
  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  const inbox = async (session: { cookie: string; csrf: string }) => {
    const res = await app.inject({ method: 'GET', url: '/api/portal/inbox', headers: as(session) });
    expect(res.statusCode).toBe(200);

    return res.json() as { items: { kind: string; id: string }[]; access: { messages: string; post: string } };
  };

  it('AS-2: a colleague granted view on messages sees messages but not post; a withdrawal takes effect on the next request', async () => {
    const owner = await signIn(app, office.owner);
    const colleague = await signIn(app, office.colleague);
    expect((await inbox(colleague)).items).toEqual([]);

    const grant = await app.inject({
      method: 'PUT',
      url: `/api/portal/colleagues/${office.colleague.userId}/access`,
      headers: as(owner),
      payload: { messages: 'view', post: 'none' },
    });
    expect(grant.statusCode).toBe(200);

    const seen = await inbox(colleague);
    expect(seen.access).toEqual({ messages: 'view', post: 'none' });
    expect(seen.items.map((i) => i.id)).toEqual([messageId]);
    expect(
      (await app.inject({ method: 'GET', url: `/api/portal/items/message/${messageId}`, headers: as(colleague) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: `/api/portal/items/post/${postId}`, headers: as(colleague) })).statusCode,
    ).toBe(403);

    // Withdraw, then the same session's very next request is refused.
    await app.inject({
      method: 'PUT',
      url: `/api/portal/colleagues/${office.colleague.userId}/access`,
      headers: as(owner),
      payload: { messages: 'none', post: 'none' },
    });
    expect((await inbox(colleague)).items).toEqual([]);
    expect(
      (await app.inject({ method: 'GET', url: `/api/portal/items/message/${messageId}`, headers: as(colleague) }))
        .statusCode,
    ).toBe(403);

    // The owner always sees both.
    expect((await inbox(owner)).items.map((i) => i.kind).sort()).toEqual(['message', 'post']);
  });

  it('AS-2: a colleague with view only cannot mark an item done: 403 and nothing changes', async () => {
    const owner = await signIn(app, office.owner);
    const colleague = await signIn(app, office.colleague);
    await app.inject({
      method: 'PUT',
      url: `/api/portal/colleagues/${office.colleague.userId}/access`,
      headers: as(owner),
      payload: { messages: 'view', post: 'view' },
    });
    const refused = await app.inject({
      method: 'POST',
      url: `/api/portal/items/message/${messageId}/actioned`,
      headers: as(colleague),
      payload: { actioned: true },
    });
    expect(refused.statusCode).toBe(403);
    const row = await kernel.db.system((trx) =>
      trx
        .selectFrom('phone_messages')
        .select(['actioned_at', 'actioned_by'])
        .where('id', '=', messageId)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ actioned_at: null, actioned_by: null });

    await app.inject({
      method: 'PUT',
      url: `/api/portal/colleagues/${office.colleague.userId}/access`,
      headers: as(owner),
      payload: { messages: 'act', post: 'view' },
    });
    const allowed = await app.inject({
      method: 'POST',
      url: `/api/portal/items/message/${messageId}/actioned`,
      headers: as(colleague),
      payload: { actioned: true },
    });
    expect(allowed.statusCode).toBe(200);
  });

  it('AS-2: colleagues cannot manage colleagues, export or delete', async () => {
    const colleague = await signIn(app, office.colleague);
    for (const [method, url] of [
      ['GET', '/api/portal/colleagues'],
      ['GET', '/api/portal/export'],
    ] as const) {
      expect((await app.inject({ method, url, headers: as(colleague) })).statusCode).toBe(403);
    }
    const put = await app.inject({
      method: 'PUT',
      url: `/api/portal/colleagues/${office.colleague.userId}/access`,
      headers: as(colleague),
      payload: { messages: 'act', post: 'act' },
    });
    expect(put.statusCode).toBe(403);
    const del = await app.inject({
      method: 'POST',
      url: '/api/portal/delete-all',
      headers: as(colleague),
      payload: { confirmation: 'DELETE ALL DATA' },
    });
    expect(del.statusCode).toBe(403);
    expect(await kernel.db.system((trx) => trx.selectFrom('phone_messages').select('id').execute())).toHaveLength(1);
  });

  it('invites a colleague by e-mail; accepting creates their sign-in with the access the owner chose', async () => {
    const owner = await signIn(app, office.owner);
    const invited = await app.inject({
      method: 'POST',
      url: '/api/portal/colleagues/invitations',
      headers: as(owner),
      payload: { name: 'Nina Newcomer', email: 'nina@access-co.test', messages: 'none', post: 'view' },
    });
    expect(invited.statusCode).toBe(201);
    const mail = kernel.sent.find((m) => m.to === 'nina@access-co.test');
    expect(mail?.class).toBe('service');
    const token = /accept-invitation#([\w-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(token.length).toBeGreaterThan(20);

    const listed = (await app.inject({ method: 'GET', url: '/api/portal/colleagues', headers: as(owner) })).json();
    expect(listed.invitations.map((i: { email: string }) => i.email)).toEqual(['nina@access-co.test']);

    const accepted = await app.inject({
      method: 'POST',
      url: '/api/colleagues/accept',
      payload: { token, password: OFFICE_PASSWORD },
    });
    expect(accepted.statusCode).toBe(201);
    const again = await app.inject({
      method: 'POST',
      url: '/api/colleagues/accept',
      payload: { token, password: OFFICE_PASSWORD },
    });
    expect(again.statusCode).toBe(404);

    const nina = await signIn(app, { email: 'nina@access-co.test', password: OFFICE_PASSWORD });
    const seen = await inbox(nina);
    expect(seen.access).toEqual({ messages: 'none', post: 'view' });
    expect(seen.items.map((i) => i.id)).toEqual([postId]);
  });
});
