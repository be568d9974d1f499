import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { rowCounts } from '../../test/support/row-counts.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { multipartBody as multipart, TINY_PNG, tinyPdf } from '../../test/support/uploads.ts';

describe('post (staff side)', () => {
  let server: TestServer;
  let mailroom: Session;
  let base: string;
  let accountId: string;

  const logItem = async (
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string; type: string },
    account = accountId,
  ) => {
    const body = await multipart(fields, file);

    return server.app.inject({
      method: 'POST',
      url: `/api/accounts/${account}/post`,
      headers: { ...as(mailroom), 'content-type': body.contentType },
      payload: body.payload,
    });
  };

  const counts = async () => {
    const n = await rowCounts(server.kernel.db, ['post_items', 'stored_files', 'subject_keys', 'audit_events']);

    return {
      items: n.post_items,
      files: n.stored_files,
      keys: n.subject_keys,
      audit: n.audit_events,
      onDisk: await filesOnDisk(),
    };
  };

  const filesOnDisk = async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = path.join(server.kernel.dataDir, 'files');
    if (!fs.existsSync(dir)) return 0;

    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  };

  beforeAll(async () => {
    server = await startTestServer({ cookieSecure: false });
    accountId = server.seed.accountId;
    base = `/api/accounts/${accountId}`;
    const who = server.seed.users.find((u) => u.role === 'mailroom');
    mailroom = await signIn(server.app, { email: who?.email ?? '', password: who?.password ?? '' });
  });
  afterAll(async () => server.close());

  it('logs a parcel with a scan, stores the scan encrypted, and serves it back decrypted', async () => {
    const res = await logItem(
      {
        sender: 'Parcel Force Depot',
        itemType: 'parcel',
        trackingNumber: 'PF123456789GB',
        idempotencyKey: crypto.randomUUID(),
        receivedAt: '2026-11-23T08:30:00Z',
      },
      { bytes: TINY_PNG, name: 'photo.png', type: 'image/png' },
    );
    expect(res.statusCode).toBe(201);
    const { postItemId, fileId } = res.json();
    expect(fileId).toBeTruthy();

    const list = await server.app.inject({ method: 'GET', url: `${base}/post`, headers: as(mailroom) });
    const item = list.json().items.find((i: { id: string }) => i.id === postItemId);
    expect(item).toMatchObject({
      sender: 'Parcel Force Depot',
      trackingNumber: 'PF123456789GB',
      status: 'received',
      itemType: 'parcel',
    });
    expect(item.files[0]).toMatchObject({ id: fileId, mediaType: 'image/png', sizeBytes: TINY_PNG.length });
    expect(item.events).toHaveLength(1);

    const file = await server.app.inject({
      method: 'GET',
      url: `${base}/post/${postItemId}/files/${fileId}`,
      headers: as(mailroom),
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.equals(TINY_PNG)).toBe(true);

    const fs = await import('node:fs');
    const path = await import('node:path');
    const stored = fs.readFileSync(path.join(server.kernel.dataDir, 'files', accountId, fileId));
    expect(stored.includes(TINY_PNG.subarray(0, 8))).toBe(false);
  });

  it('refuses a mislabelled upload (415) by its content, writing nothing', async () => {
    const before = await counts();
    const res = await logItem(
      { sender: 'Sneaky Sender', itemType: 'letter', idempotencyKey: crypto.randomUUID() },
      { bytes: Buffer.from('MZ\x90\x00 this is an executable, not a scan'), name: 'scan.pdf', type: 'application/pdf' },
    );
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(res.json().message).toMatch(/PDF, JPEG or PNG/);
    expect(await counts()).toEqual(before);
  });

  it('refuses an oversized upload (413), writing nothing', async () => {
    const before = await counts();
    const big = Buffer.concat([tinyPdf('big'), Buffer.alloc(server.kernel.config.uploadLimitBytes + 10, 0x20)]);
    const res = await logItem(
      { sender: 'Big Sender', itemType: 'parcel', idempotencyKey: crypto.randomUUID() },
      { bytes: big, name: 'big.pdf', type: 'application/pdf' },
    );
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for an unknown client and 400 for a missing sender, writing nothing', async () => {
    const before = await counts();
    const unknown = await logItem(
      { sender: 'X', itemType: 'letter', idempotencyKey: crypto.randomUUID() },
      { bytes: TINY_PNG, name: 'a.png', type: 'image/png' },
      crypto.randomUUID(),
    );
    expect(unknown.statusCode).toBe(404);
    const invalid = await logItem({ itemType: 'crate', idempotencyKey: crypto.randomUUID() });
    expect(invalid.statusCode).toBe(400);
    expect(Object.keys(invalid.json().details.fields).sort()).toEqual(['body.itemType', 'body.sender']);
    expect(await counts()).toEqual(before);
  });

  it('records an item submitted twice once', async () => {
    const before = await counts();
    const fields = { sender: 'Twice Ltd', itemType: 'recorded', idempotencyKey: crypto.randomUUID() };
    const first = await logItem(fields, { bytes: tinyPdf('twice'), name: 't.pdf', type: 'application/pdf' });
    const second = await logItem(fields, { bytes: tinyPdf('twice'), name: 't.pdf', type: 'application/pdf' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ ...first.json(), replayed: true });
    const after = await counts();
    expect([after.items, after.files, after.onDisk]).toEqual([before.items + 1, before.files + 1, before.onDisk + 1]);
  });

  it('moves an item through its lifecycle with who and when, refusing steps it does not allow (409)', async () => {
    const { postItemId } = (
      await logItem({ sender: 'Lifecycle Co', itemType: 'legal', idempotencyKey: crypto.randomUUID() })
    ).json();
    const step = (status: string) =>
      server.app.inject({
        method: 'POST',
        url: `${base}/post/${postItemId}/status`,
        headers: as(mailroom),
        payload: { status },
      });
    expect((await step('forwarded')).statusCode).toBe(409);
    expect((await step('awaiting_instruction')).json()).toMatchObject({ status: 'awaiting_instruction' });
    server.kernel.clock.advance({ hours: 2 });
    expect((await step('scanned')).statusCode).toBe(200);
    expect((await step('shredded')).statusCode).toBe(200);
    const refused = await step('forwarded');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CONFLICT');

    const list = await server.app.inject({ method: 'GET', url: `${base}/post`, headers: as(mailroom) });
    const item = list.json().items.find((i: { id: string }) => i.id === postItemId);
    expect(item.status).toBe('shredded');
    expect(item.events.map((e: { status: string }) => e.status)).toEqual([
      'received',
      'awaiting_instruction',
      'scanned',
      'shredded',
    ]);
    const mailroomUser = await server.kernel.db.system((trx) =>
      trx.selectFrom('users').select('id').where('role', '=', 'mailroom').executeTakeFirstOrThrow(),
    );
    expect(new Set(item.events.map((e: { by: string }) => e.by))).toEqual(new Set([mailroomUser.id]));
    expect(new Date(item.events[2].at).getTime() - new Date(item.events[1].at).getTime()).toBe(2 * 3_600_000);
  });

  it('keeps the receptionist out of post intake (403)', async () => {
    const reception = await signIn(server.app, server.seed.receptionist);
    const body = await multipart({ sender: 'X', itemType: 'letter', idempotencyKey: crypto.randomUUID() });
    const res = await server.app.inject({
      method: 'POST',
      url: `${base}/post`,
      headers: { ...as(reception), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(res.statusCode).toBe(403);
  });
});
