import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../app.ts';
import { createUser } from '../auth/auth.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { recordContactNote } from '../notes/contact-notes.ts';
import { eraseSubject } from '../subjects/subjects.ts';
import { createBackup, readLedger, readLedgerFromBackup, restoreBackup } from './backup.ts';

describe('backups and crypto-shredding', () => {
  let live: TestKernel;
  let accountId: string;
  let actor: { id: string; role: string };
  let erased: { subjectId: string; sealedBody: Buffer };
  let kept: { subjectId: string };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-backup-'));
  const before = { data: path.join(dir, 'before-data'), keys: path.join(dir, 'before-keys') };
  const after = { data: path.join(dir, 'after-data'), keys: path.join(dir, 'after-keys') };

  const noteFor = (name: string, email: string) =>
    recordContactNote(live, {
      accountId,
      actor: { id: actor.id, role: actor.role },
      person: { name, email },
      body: `BODY-OF-${name}`,
    });

  beforeAll(async () => {
    live = await createTestKernel();
    await ensureProviderAccount(live, 'Provider');
    accountId = await createClientAccount(live, { name: 'Client' });
    const staff = await createUser(live, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'privacy_officer',
      name: 'Staff Person',
      email: 'po@provider.test',
      password: 'long enough password',
    });
    actor = { id: staff.userId, role: 'privacy_officer' };
    const a = await noteFor('Erased Person', 'erased@example.test');
    const b = await noteFor('Kept Person', 'kept@example.test');
    kept = { subjectId: b.subjectId };
    const sealed = await live.db.system((trx) =>
      trx.selectFrom('contact_notes').select('body').where('subject_id', '=', a.subjectId).executeTakeFirstOrThrow(),
    );
    erased = { subjectId: a.subjectId, sealedBody: sealed.body };
    await createBackup(live, { dataDir: before.data, keysDir: before.keys });
    await live.db.tenant(accountId, (trx) =>
      eraseSubject(live, trx, SUBJECT_DATA_SOURCES, {
        accountId,
        subjectId: erased.subjectId,
        actor,
        reason: 'data_subject_request',
      }),
    );
    await createBackup(live, { dataDir: after.data, keysDir: after.keys });
  });
  afterAll(async () => {
    await live.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const restoredKernel = () => createTestKernel({ keyring: live.keyring });

  const openNotes = (k: TestKernel, subjectId: string) =>
    k.db.tenant(accountId, async (trx) => {
      const rows = await trx.selectFrom('contact_notes').select('body').where('subject_id', '=', subjectId).execute();

      return Promise.all(rows.map((r) => k.vault.open(trx, r.body, 'contact_notes.body')));
    });

  it('AS-19: a data backup holds ciphertext and no keys; the key store is written apart', () => {
    const dataFiles = fs.readdirSync(before.data);
    expect(dataFiles).toContain('contact_notes.jsonl.gz');
    expect(dataFiles).not.toContain('subject_keys.jsonl.gz');
    expect(fs.readdirSync(before.keys).sort()).toEqual(['manifest.json', 'subject_keys.jsonl.gz']);
  });

  it('AS-19: an old data backup restored beside the live key store cannot show an erased person', async () => {
    const k = await restoredKernel();
    try {
      await restoreBackup(k, { dataDir: before.data, keysDir: after.keys });
      expect(await openNotes(k, erased.subjectId)).toEqual([null]);
      expect(await openNotes(k, kept.subjectId)).toEqual(['BODY-OF-Kept Person']);
      const sealedCopy = await k.db.tenant(accountId, (trx) =>
        k.vault.open(trx, erased.sealedBody, 'contact_notes.body'),
      );
      expect(sealedCopy).toBeNull();
    } finally {
      await k.close();
    }
  });

  it('AS-19: restoring data and keys from before an erasure replays the erasure ledger, so the person stays erased', async () => {
    const k = await restoredKernel();
    try {
      const result = await restoreBackup(k, {
        dataDir: before.data,
        keysDir: before.keys,
        replayLedger: await readLedger(live),
      });
      expect(result.replayed).toBe(1);
      expect(await openNotes(k, erased.subjectId)).toEqual([]);
      const leftovers = await k.db.system(async (trx) => ({
        subject: await trx.selectFrom('subjects').select('id').where('id', '=', erased.subjectId).execute(),
        key: await trx
          .selectFrom('subject_keys')
          .select('subject_id')
          .where('subject_id', '=', erased.subjectId)
          .execute(),
      }));
      expect(leftovers).toEqual({ subject: [], key: [] });
      expect(await openNotes(k, kept.subjectId)).toEqual(['BODY-OF-Kept Person']);
    } finally {
      await k.close();
    }
  });

  it('a newer data backup carries the ledger used to replay erasures, and a restore refuses a non-empty database', async () => {
    expect((await readLedgerFromBackup(after.data)).map((e) => e.subject_id)).toEqual([erased.subjectId]);
    await expect(restoreBackup(live, { dataDir: after.data })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
