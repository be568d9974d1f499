import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../app.ts';
import { createUser } from '../auth/auth.ts';
import { createVault } from '../kernel/crypto/vault.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { recordContactNote } from '../notes/contact-notes.ts';
import { type ErasureReason, eraseSubject, findSubjects } from './subjects.ts';

/** What erasing a person with one contact note removes: that note, and nothing from any other source. */
const expectedCounts = {
  ...Object.fromEntries(SUBJECT_DATA_SOURCES.map((source) => [source.name, 0])),
  contact_notes: 1,
  processing_controls: 0,
};

describe(eraseSubject.name, () => {
  let kernel: TestKernel;
  let accountId: string;
  const actor = { id: crypto.randomUUID(), role: 'privacy_officer' };

  beforeAll(async () => {
    kernel = await createTestKernel();
    accountId = await createClientAccount(kernel, { name: 'Erasure Test Ltd' });
  });
  afterAll(async () => kernel.close());

  const sut = (subjectId: string, reason: ErasureReason = 'data_subject_request') =>
    kernel.db.tenant(accountId, (trx) =>
      eraseSubject(kernel, trx, SUBJECT_DATA_SOURCES, { accountId, subjectId, actor, reason }),
    );

  const newPerson = async () => {
    const marker = `Er${crypto.randomBytes(4).toString('hex')}`;
    const person = {
      name: `Name ${marker}`,
      email: `${marker}@example.test`,
      phone: `+44 20 7946 ${String(crypto.randomInt(1000)).padStart(4, '0')}`,
    };
    const { subjectId, noteId } = await recordContactNote(kernel, { accountId, actor, person, body: `Body ${marker}` });

    return { marker, person, subjectId, noteId };
  };

  it('AS-19: deletes the rows and the key, keeps an id-only ledger line, and makes a copy of the ciphertext unreadable', async () => {
    const { marker, subjectId, noteId } = await newPerson();
    const copied = await kernel.db.tenant(accountId, async (trx) => ({
      body: (await trx.selectFrom('contact_notes').select('body').where('id', '=', noteId).executeTakeFirstOrThrow())
        .body,
      name: (await trx.selectFrom('subjects').select('name').where('id', '=', subjectId).executeTakeFirstOrThrow())
        .name as Buffer,
    }));
    expect(await kernel.db.tenant(accountId, (trx) => kernel.vault.open(trx, copied.body, 'contact_notes.body'))).toBe(
      `Body ${marker}`,
    );

    const result = await sut(subjectId);

    expect(result).toEqual({ erased: true, counts: expectedCounts });
    const left = await kernel.db.system(async (trx) => ({
      subjects: await trx.selectFrom('subjects').select('id').where('id', '=', subjectId).execute(),
      keys: await trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', subjectId).execute(),
      notes: await trx.selectFrom('contact_notes').select('id').where('subject_id', '=', subjectId).execute(),
      ledger: await trx.selectFrom('erasure_ledger').selectAll().where('subject_id', '=', subjectId).execute(),
    }));
    expect(left).toEqual({
      subjects: [],
      keys: [],
      notes: [],
      ledger: [
        { subject_id: subjectId, account_id: accountId, erased_at: kernel.clock.now(), reason: 'data_subject_request' },
      ],
    });

    const freshVault = createVault({ keyring: kernel.keyring });
    await kernel.db.tenant(accountId, async (trx) => {
      expect(await kernel.vault.open(trx, copied.body, 'contact_notes.body')).toBeNull();
      expect(await kernel.vault.open(trx, copied.name, 'subjects.name')).toBeNull();
      expect(await freshVault.open(trx, copied.body, 'contact_notes.body')).toBeNull();
    });
  });

  it('records an erase event that names fields and counts, never the erased values', async () => {
    const { marker, person, subjectId } = await newPerson();
    await sut(subjectId);

    const event = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'subject_id', 'fields', 'purpose', 'details', sql<string>`audit_events::text`.as('row')])
        .where('subject_id', '=', subjectId)
        .where('action', '=', 'subject.erase')
        .executeTakeFirstOrThrow(),
    );
    expect(event).toMatchObject({
      action: 'subject.erase',
      subject_id: subjectId,
      fields: ['name', 'email', 'phone', ...SUBJECT_DATA_SOURCES.map((source) => source.name)],
      purpose: 'legal_obligation',
      details: { reason: 'data_subject_request', ...expectedCounts },
    });
    for (const value of [marker, person.email, person.phone.replace(/\D/g, '').slice(-8)]) {
      expect(event.row.toLowerCase()).not.toContain(value.toLowerCase());
    }
  });

  it('leaves the erased person unfindable by e-mail or phone, and a new note about them starts a new record', async () => {
    const { person, subjectId } = await newPerson();
    await sut(subjectId);

    const found = await kernel.db.tenant(accountId, async (trx) => [
      ...(await findSubjects(kernel, trx, {
        accountId,
        by: 'email',
        value: person.email,
        actor,
        purpose: 'service_delivery',
      })),
      ...(await findSubjects(kernel, trx, {
        accountId,
        by: 'phone',
        value: person.phone,
        actor,
        purpose: 'service_delivery',
      })),
    ]);
    expect(found).toEqual([]);

    const again = await recordContactNote(kernel, { accountId, actor, person, body: 'Called again' });
    expect(again.linkedExisting).toBe(false);
    expect(again.subjectId).not.toBe(subjectId);
  });

  it('refuses an unknown person, and changes nothing', async () => {
    const before = await kernel.db.system((trx) => trx.selectFrom('erasure_ledger').select('subject_id').execute());

    await expect(sut(crypto.randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await kernel.db.system((trx) => trx.selectFrom('erasure_ledger').select('subject_id').execute())).toEqual(
      before,
    );
  });

  it('refuses a person who still has a user account', async () => {
    await ensureProviderAccount(kernel, 'Provider');
    const client = await createUser(kernel, {
      accountId,
      role: 'owner',
      name: 'Owner Person',
      email: 'owner.erase@example.test',
      password: 'long enough password',
    });
    const staff = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'admin',
      name: 'Staff Person',
      email: 'staff.erase@example.test',
      password: 'long enough password',
    });

    await expect(sut(client.subjectId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        eraseSubject(kernel, trx, SUBJECT_DATA_SOURCES, {
          accountId: PROVIDER_ACCOUNT_ID,
          subjectId: staff.subjectId,
          actor,
          reason: 'data_subject_request',
        }),
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const keys = await kernel.db.system((trx) =>
      trx
        .selectFrom('subject_keys')
        .select('subject_id')
        .where('subject_id', 'in', [client.subjectId, staff.subjectId])
        .execute(),
    );
    expect(keys).toHaveLength(2);
  });
});
