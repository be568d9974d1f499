import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.ts';
import { createClientAccount } from '../../accounts/accounts.ts';
import { recordContactNote } from '../../notes/contact-notes.ts';
import { APP_ROLE, openDatabase } from './database.ts';

const TENANT_TABLES = ['subjects', 'subject_keys', 'contact_notes', 'audit_heads', 'audit_events'] as const;

describe(openDatabase.name, () => {
  let kernel: TestKernel;
  let a: { accountId: string; subjectId: string; noteId: string };
  let b: { accountId: string; subjectId: string; noteId: string };

  const actor = { id: crypto.randomUUID(), role: 'receptionist' };

  const seedAccount = async (name: string, email: string) => {
    const accountId = await createClientAccount(kernel, { name });
    const { subjectId, noteId } = await recordContactNote(kernel, {
      accountId,
      actor,
      person: { name: 'Someone', email },
      body: 'Please call back',
    });

    return { accountId, subjectId, noteId };
  };

  const count = (
    trx: Parameters<Parameters<TestKernel['db']['system']>[0]>[0],
    table: (typeof TENANT_TABLES)[number],
  ) => sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx).then((r) => Number(r.rows[0]?.n));

  beforeAll(async () => {
    kernel = await createTestKernel();
    a = await seedAccount('Tenant A Ltd', 'a@example.test');
    b = await seedAccount('Tenant B Ltd', 'b@example.test');
  });
  afterAll(async () => kernel.close());

  describe('untenanted', () => {
    it('sees no rows of any tenant table although rows exist', async () => {
      for (const table of TENANT_TABLES) {
        expect(await kernel.db.system((trx) => count(trx, table)), `${table} as owner`).toBeGreaterThanOrEqual(2);
        expect(await kernel.db.untenanted((trx) => count(trx, table)), `${table} untenanted`).toBe(0);
      }
    });

    it('cannot insert a row for any account', async () => {
      await expect(
        kernel.db.untenanted((trx) =>
          trx
            .insertInto('processing_controls')
            .values({
              account_id: a.accountId,
              subject_id: a.subjectId,
              kind: 'restriction',
              purpose: null,
              active: true,
              recorded_at: new Date(),
            })
            .execute(),
        ),
      ).rejects.toThrow(/row-level security/);
    });
  });

  describe('tenant', () => {
    it('sees only its own account’s rows', async () => {
      const seen = await kernel.db.tenant(a.accountId, async (trx) => ({
        subjects: await trx.selectFrom('subjects').select(['id', 'account_id']).execute(),
        notes: await trx.selectFrom('contact_notes').select('id').execute(),
        accounts: await trx.selectFrom('audit_events').select('account_id').distinct().execute(),
      }));

      expect(seen.subjects).toEqual([{ id: a.subjectId, account_id: a.accountId }]);
      expect(seen.notes).toEqual([{ id: a.noteId }]);
      expect(seen.accounts).toEqual([{ account_id: a.accountId }]);
    });

    it('cannot read another tenant’s row even by its id', async () => {
      const found = await kernel.db.tenant(a.accountId, (trx) =>
        trx.selectFrom('contact_notes').select('id').where('id', '=', b.noteId).execute(),
      );

      expect(found).toEqual([]);
    });

    it('cannot update or delete another tenant’s rows', async () => {
      const changed = await kernel.db.tenant(a.accountId, async (trx) => ({
        updated: (
          await trx
            .updateTable('contact_notes')
            .set({ purpose: 'hijacked' })
            .where('id', '=', b.noteId)
            .executeTakeFirst()
        ).numUpdatedRows,
        deleted: (await trx.deleteFrom('subjects').where('id', '=', b.subjectId).executeTakeFirst()).numDeletedRows,
      }));

      expect(changed).toEqual({ updated: 0n, deleted: 0n });
      const untouched = await kernel.db.system((trx) =>
        trx.selectFrom('contact_notes').select('purpose').where('id', '=', b.noteId).executeTakeFirstOrThrow(),
      );
      expect(untouched.purpose).toBe('service_delivery');
    });

    it('cannot insert a row carrying another tenant’s account id (WITH CHECK)', async () => {
      await expect(
        kernel.db.tenant(a.accountId, (trx) =>
          trx
            .insertInto('contact_notes')
            .values({
              account_id: b.accountId,
              subject_id: b.subjectId,
              body: Buffer.from('x'),
              purpose: 'service_delivery',
              created_by: actor.id,
              created_at: new Date(),
            })
            .execute(),
        ),
      ).rejects.toThrow(/row-level security/);
    });

    it('cannot move its own row into another tenant', async () => {
      await expect(
        kernel.db.tenant(a.accountId, (trx) =>
          trx.updateTable('contact_notes').set({ account_id: b.accountId }).where('id', '=', a.noteId).execute(),
        ),
      ).rejects.toThrow(/row-level security/);
    });

    it('runs as custodian_app, which is neither superuser nor BYPASSRLS', async () => {
      const inside = await kernel.db.tenant(a.accountId, async (trx) => {
        const who = await sql<{
          current_user: string;
          account: string;
        }>`select current_user, current_setting('app.account_id') as account`.execute(trx);
        const role = await sql<{
          rolsuper: boolean;
          rolbypassrls: boolean;
        }>`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`.execute(trx);

        return { ...who.rows[0], ...role.rows[0] };
      });

      expect(inside).toEqual({ current_user: APP_ROLE, account: a.accountId, rolsuper: false, rolbypassrls: false });
    });

    it('has no grant on the users and sessions tables, nor write access to accounts', async () => {
      await expect(
        kernel.db.tenant(a.accountId, (trx) => trx.selectFrom('users').select('id').execute()),
      ).rejects.toThrow(/permission denied/);
      await expect(
        kernel.db.tenant(a.accountId, (trx) => trx.selectFrom('sessions').select('user_id').execute()),
      ).rejects.toThrow(/permission denied/);
      await expect(
        kernel.db.tenant(a.accountId, (trx) =>
          trx.updateTable('accounts').set({ name: 'x' }).where('id', '=', a.accountId).execute(),
        ),
      ).rejects.toThrow(/permission denied/);
    });

    it('drops the role and account when its transaction ends, so the pooled connection is clean again', async () => {
      await kernel.db.tenant(a.accountId, (trx) => sql`select 1`.execute(trx));
      await expect(kernel.db.tenant(a.accountId, () => Promise.reject(new Error('rolled back')))).rejects.toThrow(
        'rolled back',
      );

      const after = await kernel.db.system(
        async (trx) =>
          (
            await sql<{
              current_user: string;
              account: string | null;
            }>`select current_user, nullif(current_setting('app.account_id', true), '') as account`.execute(trx)
          ).rows[0],
      );
      expect(after?.current_user).not.toBe(APP_ROLE);
      expect(after?.account).toBeNull();
    });
  });
});
