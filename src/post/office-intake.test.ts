import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../test/support/db.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { createUser } from '../auth/auth.ts';
import { readFile } from '../files/files.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { readMessage, streamMessagesForExport } from '../messages/read-messages.ts';
import { takeMessage } from '../messages/take-message.ts';
import { logPostItem } from './log-post-item.ts';
import { readPostItem, streamPostForExport } from './read-post.ts';

const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
    : [];

const encodings = (needle: string) =>
  [needle, needle.toLowerCase()].flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);

describe('the virtual office records what it receives', () => {
  let kernel: TestKernel;
  let accountId: string;
  let actor: { id: string; role: string };

  beforeAll(async () => {
    kernel = await createTestKernel({ pgliteOnDisk: true });
    await ensureProviderAccount(kernel, 'Provider');
    accountId = await createClientAccount(kernel, { name: 'Control Marker Ltd' });
    const { userId } = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'admin',
      name: 'Desk Admin',
      email: 'desk@example.test',
      password: 'a long enough password',
    });
    actor = { id: userId, role: 'admin' };
  });
  afterAll(async () => kernel.close());

  it('AS-1: phone messages and post received for a client are recorded in the app', async () => {
    const message = await takeMessage(kernel, {
      accountId,
      actor,
      callerName: 'Ada Recorded',
      company: 'Recorded Ltd',
      email: 'ada@example.test',
      reason: 'Delivery',
      message: 'The van arrives at ten',
      urgency: 'normal',
      callbackRequested: false,
      callAt: new Date('2026-11-23T08:00:00Z'),
      idempotencyKey: crypto.randomUUID(),
    });
    const post = await logPostItem(kernel, {
      accountId,
      actor,
      sender: 'Land Registry',
      itemType: 'recorded',
      trackingNumber: 'RR000111222GB',
      idempotencyKey: crypto.randomUUID(),
      scan: { bytes: Buffer.from('%PDF-1.4\nrecorded letter\n%%EOF\n') },
    });

    const [storedMessage, storedPost] = await kernel.db.tenant(accountId, async (trx) => [
      await readMessage(kernel, trx, message.messageId),
      await readPostItem(kernel, trx, post.postItemId),
    ]);
    expect(storedMessage).toMatchObject({
      caller: { name: 'Ada Recorded', email: 'ada@example.test' },
      company: 'Recorded Ltd',
      reason: 'Delivery',
      body: 'The van arrives at ten',
      callAt: '2026-11-23T08:00:00.000Z',
      takenBy: actor.id,
    });
    expect(storedPost).toMatchObject({
      sender: 'Land Registry',
      trackingNumber: 'RR000111222GB',
      status: 'received',
      loggedBy: actor.id,
    });
    const scan = await kernel.db.tenant(accountId, (trx) => readFile(kernel, trx, post.fileId ?? ''));
    expect(scan?.bytes.toString()).toContain('recorded letter');

    const exported = { messages: 0, post: 0 };
    for await (const batch of streamMessagesForExport(kernel, accountId, { batch: 1 }))
      exported.messages += batch.length;
    for await (const batch of streamPostForExport(kernel, accountId, { batch: 1 })) exported.post += batch.length;
    expect(exported).toEqual({ messages: 1, post: 1 });

    const actions = await kernel.db.system((trx) =>
      trx.selectFrom('audit_events').select('action').where('account_id', '=', accountId).orderBy('seq').execute(),
    );
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['message.create', 'post.create']));
  });

  it('keeps message bodies, senders and scans out of plaintext in the database files and DATA_DIR/files', async () => {
    const id = crypto.randomBytes(5).toString('hex');
    const secrets = {
      body: `MsgBody${id}`,
      company: `MsgCo${id}`,
      sender: `PostSender${id}`,
      tracking: `TRK${id}`,
      scan: `ScanText${id}`,
    };
    await takeMessage(kernel, {
      accountId,
      actor,
      callerName: `Caller${id}`,
      company: secrets.company,
      phone: '020 7946 0456',
      message: `${secrets.body} please ring`,
      urgency: 'urgent',
      callbackRequested: true,
      idempotencyKey: crypto.randomUUID(),
    });
    await logPostItem(kernel, {
      accountId,
      actor,
      sender: secrets.sender,
      itemType: 'parcel',
      trackingNumber: secrets.tracking,
      idempotencyKey: crypto.randomUUID(),
      scan: { bytes: Buffer.from(`%PDF-1.4\n(${secrets.scan}) Tj\n%%EOF\n`) },
    });
    const found = (haystacks: Buffer[], needle: string) =>
      encodings(needle).some((bytes) => haystacks.some((h) => h.includes(bytes)));
    const stored = filesUnder(path.join(kernel.dataDir, 'files')).map((f) => fs.readFileSync(f));
    expect(stored.length).toBeGreaterThanOrEqual(2);
    let haystack: Buffer[] = stored;
    if (onPostgres()) {
      const values = await kernel.db.system(async (trx) => {
        const out: Buffer[] = [];
        for (const table of [
          'accounts',
          'phone_messages',
          'post_items',
          'stored_files',
          'item_search_terms',
          'subjects',
          'audit_events',
          'notifications',
        ]) {
          const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(trx);
          for (const row of rows.rows)
            for (const v of Object.values(row))
              if (v != null)
                out.push(Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
        }

        return out;
      });
      expect(found(values, 'Control Marker'), 'control marker').toBe(true);
      haystack = [...haystack, ...values];
    } else {
      await kernel.db.system((trx) => sql`checkpoint`.execute(trx));
      const dbFiles = filesUnder(path.join(kernel.dataDir, 'pgdata')).map((f) => fs.readFileSync(f));
      expect(dbFiles.length).toBeGreaterThan(100);
      expect(found(dbFiles, 'Control Marker'), 'control marker').toBe(true);
      haystack = [...haystack, ...dbFiles];
    }
    for (const [name, secret] of Object.entries(secrets)) expect(found(haystack, secret), name).toBe(false);
  });
});
