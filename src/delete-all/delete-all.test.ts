import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../test/support/db.ts';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, pngWithMarker, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { startSmtpSink } from '../../test/support/smtp.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import type { App } from '../kernel/http/types.ts';
import { createMailer } from '../kernel/mail/mailer.ts';

const MARKER = 'ZQXDELMARK';

/** Every file under a folder whose bytes contain the marker. */
const filesContaining = (dir: string, marker: string): string[] => {
  if (!fs.existsSync(dir)) return [];
  const needle = Buffer.from(marker);
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && fs.readFileSync(full).includes(needle)) hits.push(full);
    }
  };
  walk(dir);

  return hits;
};

describe('delete all data (AS-4)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let kernel: TestKernel;
  let app: App;
  let owner: Session;
  let office: Awaited<ReturnType<typeof createOfficeAccount>>;
  let other: Awaited<ReturnType<typeof createOfficeAccount>>;
  let mailDir: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-mail-'));
    kernel = await createTestKernel({
      pgliteOnDisk: true,
      mailer: createMailer({ smtpUrl: smtp.url, from: 'Desk <desk@custodian.test>', dataDir: mailDir }),
    });
    await ensureProviderAccount(kernel, 'Provider');
    office = await createOfficeAccount(kernel, 'Delete Co');
    other = await createOfficeAccount(kernel, 'Keep Co');
    for (let i = 0; i < 3; i += 1) {
      await seedMessage(kernel, {
        accountId: office.accountId,
        caller: {
          name: `${MARKER} Caller ${i}`,
          phone: `020 7946 05${i}0`,
          email: `${MARKER.toLowerCase()}${i}@example.test`,
        },
        company: `${MARKER} Company`,
        reason: `${MARKER} reason`,
        body: `${MARKER} body ${i}`,
        urgency: i === 0 ? 'urgent' : 'normal',
      });
    }
    await seedPostItem(kernel, {
      accountId: office.accountId,
      sender: `${MARKER} Sender`,
      itemType: 'parcel',
      trackingNumber: `${MARKER}TRACK`,
      scan: { bytes: pngWithMarker(MARKER), mediaType: 'image/png' },
    });
    await seedMessage(kernel, {
      accountId: other.accountId,
      caller: { name: 'Kept Caller', phone: '1' },
      body: 'kept',
    });
    app = await buildApp(kernel);
    owner = await signIn(app, office.owner);
    // The owner reads one item, so there is a read marker and an audited read to outlive.
    const first = (await app.inject({ method: 'GET', url: '/api/portal/inbox', headers: as(owner) })).json().items[0];
    await app.inject({ method: 'GET', url: `/api/portal/items/${first.kind}/${first.id}`, headers: as(owner) });
  });
  afterAll(async () => {
    await app?.close();
    await kernel?.close();
    await smtp?.close();
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  it('refuses without the typed confirmation, and leaves everything', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/portal/delete-all',
      headers: as(owner),
      payload: { confirmation: 'delete' },
    });
    expect(res.statusCode).toBe(400);
    expect(
      await kernel.db.system((trx) =>
        trx.selectFrom('phone_messages').select('id').where('account_id', '=', office.accountId).execute(),
      ),
    ).toHaveLength(3);
  });

  it('AS-4: deletes every message, post item, scan, index and key of the account, keeps a tombstone and mails a receipt', async () => {
    const ids = await kernel.db.system(async (trx) => ({
      callers: (
        await trx
          .selectFrom('subjects')
          .select('id')
          .where('account_id', '=', office.accountId)
          .where('kind', '=', 'caller')
          .execute()
      ).map((r) => r.id),
      posts: (await trx.selectFrom('post_items').select('id').where('account_id', '=', office.accountId).execute()).map(
        (r) => r.id,
      ),
    }));
    expect(ids.callers).toHaveLength(3);
    expect(filesContaining(path.join(kernel.dataDir, 'files'), MARKER)).toEqual([]);
    expect(fs.readdirSync(path.join(kernel.dataDir, 'files', office.accountId))).toHaveLength(1);

    const res = await app.inject({
      method: 'POST',
      url: '/api/portal/delete-all',
      headers: as(owner),
      payload: { confirmation: 'DELETE ALL DATA' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      counts: { phoneMessages: 3, postItems: 1, files: 1, people: 3, keys: 4 },
      receipt: 'sent',
    });

    const left = await kernel.db.system(async (trx) => {
      const count = async (
        table: 'phone_messages' | 'post_items' | 'post_events' | 'stored_files' | 'item_search_terms' | 'item_reads',
      ) =>
        (await trx.selectFrom(table).select('account_id').where('account_id', '=', office.accountId).execute()).length;

      return {
        phone_messages: await count('phone_messages'),
        post_items: await count('post_items'),
        post_events: await count('post_events'),
        stored_files: await count('stored_files'),
        item_search_terms: await count('item_search_terms'),
        item_reads: await count('item_reads'),
        notifications: (
          await trx.selectFrom('notifications').select('item_kind').where('account_id', '=', office.accountId).execute()
        ).map((n) => n.item_kind),
        keys: (
          await trx
            .selectFrom('subject_keys')
            .select('subject_id')
            .where('subject_id', 'in', [...ids.callers, ...ids.posts])
            .execute()
        ).length,
        subjects: (await trx.selectFrom('subjects').select('id').where('id', 'in', ids.callers).execute()).length,
        ownKeys: (
          await trx
            .selectFrom('subject_keys')
            .select('subject_id')
            .where('subject_id', 'in', [office.owner.subjectId, office.colleague.subjectId])
            .execute()
        ).length,
        account: await trx
          .selectFrom('accounts')
          .select('status')
          .where('id', '=', office.accountId)
          .executeTakeFirst(),
        otherMessages: (
          await trx.selectFrom('phone_messages').select('id').where('account_id', '=', other.accountId).execute()
        ).length,
        tombstone: await trx
          .selectFrom('audit_events')
          .select(['details', 'fields'])
          .where('account_id', '=', office.accountId)
          .where('action', '=', 'account.delete_all')
          .executeTakeFirst(),
        allAudit: JSON.stringify(
          await trx.selectFrom('audit_events').select(['details', 'fields', 'entity_id']).execute(),
        ),
      };
    });
    expect(left).toMatchObject({
      phone_messages: 0,
      post_items: 0,
      post_events: 0,
      stored_files: 0,
      item_search_terms: 0,
      item_reads: 0,
      notifications: ['receipt'],
      keys: 0,
      subjects: 0,
      ownKeys: 2,
      account: { status: 'trial' },
      otherMessages: 1,
    });
    expect(left.tombstone?.details).toMatchObject({ phoneMessages: 3, postItems: 1 });
    expect(left.allAudit).not.toContain(MARKER);
    expect(fs.existsSync(path.join(kernel.dataDir, 'files', office.accountId))).toBe(false);

    // Nothing of it on disk: the database's own files (PGlite) and the files folder.
    if (!onPostgres()) expect(filesContaining(path.join(kernel.dataDir, 'pgdata'), MARKER)).toEqual([]);
    expect(filesContaining(kernel.dataDir, MARKER)).toEqual([]);

    const receipt = smtp.received.find((m) => m.to.includes(office.owner.email));
    expect(receipt?.raw).toMatch(/Subject: Receipt: all data of your account was deleted/);
    expect(receipt?.raw).toMatch(/X-Custodian-Class: service/);
    expect(receipt?.raw).not.toContain(MARKER);

    // The owner can still sign in and sees an empty inbox: the account is not closed.
    const inbox = (await app.inject({ method: 'GET', url: '/api/portal/inbox', headers: as(owner) })).json();
    expect(inbox.items).toEqual([]);
  });
});
