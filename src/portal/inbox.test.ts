import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, pngWithMarker, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import type { App } from '../kernel/http/types.ts';

type Inbox = {
  items: { kind: string; id: string; title: string; summary: string; state: string; urgency: string }[];
  unread: { messages: number; post: number };
};

describe('the client inbox', () => {
  let kernel: TestKernel;
  let app: App;
  let owner: Session;
  let office: Awaited<ReturnType<typeof createOfficeAccount>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Provider');
    office = await createOfficeAccount(kernel, 'Inbox Co');
    const other = await createOfficeAccount(kernel, 'Other Co');
    const accountId = office.accountId;
    ids.boiler = (
      await seedMessage(kernel, {
        accountId,
        caller: { name: 'Bram Boiler', phone: '020 7946 0202' },
        company: 'Heat Ltd',
        reason: 'Boiler service',
        body: 'The boiler repair is booked for Tuesday',
        callAt: new Date('2026-11-20T10:00:00Z'),
      })
    ).id;
    ids.urgent = (
      await seedMessage(kernel, {
        accountId,
        caller: { name: 'Ursula Urgent', email: 'ursula@example.test' },
        reason: 'Flood in the office',
        body: 'Water everywhere, call back now',
        urgency: 'urgent',
        callbackRequested: true,
        callAt: new Date('2026-11-22T08:00:00Z'),
      })
    ).id;
    const parcel = await seedPostItem(kernel, {
      accountId,
      sender: 'Boiler Parts Direct',
      itemType: 'parcel',
      trackingNumber: 'TRK123456',
      receivedAt: new Date('2026-11-21T12:00:00Z'),
      scan: { bytes: pngWithMarker('SCAN-PREVIEW'), mediaType: 'image/png' },
    });
    ids.parcel = parcel.id;
    ids.file = parcel.fileId ?? '';
    await seedMessage(kernel, {
      accountId: other.accountId,
      caller: { name: 'Bram Boiler', phone: '1' },
      body: 'boiler in another account',
    });
    app = await buildApp(kernel);
    owner = await signIn(app, office.owner);
  });
  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  const inbox = async (query = '') => {
    const res = await app.inject({ method: 'GET', url: `/api/portal/inbox${query}`, headers: as(owner) });
    expect(res.statusCode, res.body).toBe(200);

    return res.json() as Inbox;
  };

  it('shows messages and post in one timeline, newest first, decrypted, only of the own account', async () => {
    const page = await inbox();
    expect(page.items.map((i) => i.id)).toEqual([ids.urgent, ids.parcel, ids.boiler]);
    expect(page.items[0]).toMatchObject({
      kind: 'message',
      title: 'Ursula Urgent',
      summary: 'Flood in the office',
      urgency: 'urgent',
      state: 'unread',
    });
    expect(page.items[1]).toMatchObject({ kind: 'post', title: 'Boiler Parts Direct', state: 'unread' });
    expect(page.unread).toEqual({ messages: 2, post: 1 });
  });

  it('filters by type, urgency, date and state, and searches every word over both kinds', async () => {
    expect((await inbox('?type=post')).items.map((i) => i.id)).toEqual([ids.parcel]);
    expect((await inbox('?urgency=urgent')).items.map((i) => i.id)).toEqual([ids.urgent]);
    expect((await inbox('?from=2026-11-21&to=2026-11-21')).items.map((i) => i.id)).toEqual([ids.parcel]);
    expect((await inbox('?q=boiler')).items.map((i) => i.id)).toEqual([ids.parcel, ids.boiler]);
    expect((await inbox('?q=BOILER%20tuesday')).items.map((i) => i.id)).toEqual([ids.boiler]);
    expect((await inbox('?q=trk123456')).items.map((i) => i.id)).toEqual([ids.parcel]);
    expect((await inbox('?q=nothing-like-this')).items).toEqual([]);
  });

  it('opens an item as an audited read that marks it read; unread, done and reopen work', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/portal/items/message/${ids.urgent}`, headers: as(owner) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      caller: { name: 'Ursula Urgent', email: 'ursula@example.test' },
      body: 'Water everywhere, call back now',
      callbackRequested: true,
      state: 'read',
      canAct: true,
    });
    const audit = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'actor_id', 'entity_id', 'details'])
        .where('action', '=', 'portal.item.read')
        .execute(),
    );
    expect(audit).toEqual([expect.objectContaining({ actor_id: office.owner.userId, entity_id: ids.urgent })]);
    expect(JSON.stringify(audit)).not.toContain('Ursula');
    expect((await inbox('?state=read')).items.map((i) => i.id)).toEqual([ids.urgent]);

    await app.inject({
      method: 'POST',
      url: `/api/portal/items/message/${ids.urgent}/read`,
      headers: as(owner),
      payload: { read: false },
    });
    expect((await inbox('?state=unread')).items.map((i) => i.id)).toContain(ids.urgent);

    const done = await app.inject({
      method: 'POST',
      url: `/api/portal/items/post/${ids.parcel}/actioned`,
      headers: as(owner),
      payload: { actioned: true },
    });
    expect(done.statusCode).toBe(200);
    expect((await inbox('?state=actioned')).items.map((i) => i.id)).toEqual([ids.parcel]);
    expect((await inbox(`?colleague=${office.owner.userId}`)).items.map((i) => i.id)).toEqual([ids.parcel]);
    await app.inject({
      method: 'POST',
      url: `/api/portal/items/post/${ids.parcel}/actioned`,
      headers: as(owner),
      payload: { actioned: false },
    });
    expect((await inbox('?state=actioned')).items).toEqual([]);
  });

  it('previews a scan through an authenticated URL, as an audited read', async () => {
    const item = (
      await app.inject({ method: 'GET', url: `/api/portal/items/post/${ids.parcel}`, headers: as(owner) })
    ).json();
    expect(item.files).toEqual([expect.objectContaining({ id: ids.file, mediaType: 'image/png' })]);
    expect(item.trackingNumber).toBe('TRK123456');
    const file = await app.inject({ method: 'GET', url: `/api/portal/files/${ids.file}`, headers: as(owner) });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.toString('latin1')).toContain('SCAN-PREVIEW');
    expect((await app.inject({ method: 'GET', url: `/api/portal/files/${ids.file}` })).statusCode).toBe(401);
  });

  it('an unknown item is a clear 404, and another account’s item is not found', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/portal/items/message/00000000-0000-4000-8000-000000000999',
      headers: as(owner),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/No such message/);
  });
});
