import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientAccount, ensureProviderAccount } from '../../src/accounts/accounts.ts';
import { createUser, signIn } from '../../src/auth/auth.ts';
import { PROVIDER_ACCOUNT_ID } from '../../src/kernel/db/schema.ts';
import { recordContactNote } from '../../src/notes/contact-notes.ts';
import { findSubjects, readSubject } from '../../src/subjects/subjects.ts';
import { onPostgres } from '../support/db.ts';
import { createTestKernel, type TestKernel } from '../support/kernel.ts';
import { everyStoredValue } from '../support/stored-values.ts';

const hex = () => crypto.randomBytes(5).toString('hex');

/** Each needle as it would sit in a file or a column: UTF-8 and UTF-16LE bytes, as written and lower-cased. */
const encodings = (needle: string) =>
  [needle, needle.toLowerCase()].flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);

const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));

describe('personal data at rest', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel({ pgliteOnDisk: true });
  });
  afterAll(async () => kernel.close());

  it('no name, e-mail, phone number or note body is stored in plaintext anywhere in the database', async () => {
    const id = hex();
    const digits = String(crypto.randomInt(1000, 9999));
    const person = { name: `Nm${id} Person`, email: `Em${id}@Example.test`, phone: `+44 20 7946 ${digits}` };
    const body = `Bd${id} asked for a call back`;
    const staff = { name: `St${id} Staff`, email: `Sm${id}@example.test`, password: `Pw${id}-long-enough` };
    const control = `Ctl${id}`;

    await ensureProviderAccount(kernel, 'Provider');
    const accountId = await createClientAccount(kernel, { name: `${control} Ltd` });
    const { userId } = await createUser(kernel, { accountId: PROVIDER_ACCOUNT_ID, role: 'receptionist', ...staff });
    await signIn(kernel, { email: staff.email, password: staff.password });
    const actor = { id: userId, role: 'receptionist' };
    const { subjectId } = await recordContactNote(kernel, { accountId, actor, person, body });
    await kernel.db.tenant(accountId, async (trx) => {
      await findSubjects(kernel, trx, {
        accountId,
        by: 'phone',
        value: person.phone,
        actor,
        purpose: 'service_delivery',
      });
      await readSubject(kernel, trx, { accountId, subjectId, actor, purpose: 'service_delivery' });
    });

    const secrets = [
      `Nm${id}`,
      `Em${id}`,
      person.email,
      `7946 ${digits}`,
      `207946${digits}`,
      `Bd${id}`,
      `St${id}`,
      `Sm${id}`,
      staff.password,
    ];
    const found = (haystacks: Buffer[], needle: string) =>
      encodings(needle).some((bytes) => haystacks.some((h) => h.includes(bytes)));

    if (onPostgres()) {
      // The server's files are out of reach: check every value of every table instead.
      const values = await everyStoredValue(kernel.db);
      expect(found(values, control), 'the control marker (an account name, stored in plaintext)').toBe(true);
      for (const secret of secrets) expect(found(values, secret), secret).toBe(false);
    } else {
      await kernel.db.system((trx) => sql`checkpoint`.execute(trx));
      const files = filesUnder(kernel.dataDir).map((file) => fs.readFileSync(file));
      expect(files.length).toBeGreaterThan(100);
      expect(found(files, control), 'the control marker (an account name, stored in plaintext)').toBe(true);
      for (const secret of secrets) expect(found(files, secret), secret).toBe(false);
    }
  });
});
