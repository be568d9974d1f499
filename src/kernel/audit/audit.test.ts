import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.ts';
import { createClientAccount, ensureProviderAccount } from '../../accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../../app.ts';
import { createUser, signIn } from '../../auth/auth.ts';
import { recordContactNote } from '../../notes/contact-notes.ts';
import { eraseSubject, exportSubject, findSubjects, readSubject } from '../../subjects/subjects.ts';
import { beforeCommit, type Trx } from '../db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../db/schema.ts';
import { recordAudit, verifyAuditChains } from './audit.ts';

describe(recordAudit.name, () => {
  let kernel: TestKernel;
  const actor = { id: crypto.randomUUID(), role: 'receptionist' };

  beforeAll(async () => {
    kernel = await createTestKernel();
  });
  afterAll(async () => kernel.close());

  /** A client account whose chain holds `events` events: account.create, then test.1, test.2, … */
  const accountWithEvents = async (events: number) => {
    const accountId = await createClientAccount(kernel, { name: `Audit ${crypto.randomUUID()}` });
    for (let i = 2; i <= events; i += 1) {
      kernel.clock.advance({ seconds: 1 });
      await kernel.db.tenant(accountId, (trx) =>
        recordAudit(trx, kernel.clock, { accountId, actor, action: `test.${i}`, entity: 'test', details: { n: i } }),
      );
    }

    return accountId;
  };

  const chainOf = async (accountId: string) =>
    (await verifyAuditChains(kernel.db)).find((r) => r.accountId === accountId);

  const eventCount = (accountId: string) =>
    kernel.db.system(async (trx) =>
      Number(
        (
          await trx
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('account_id', '=', accountId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  /** Runs `fn` as the owner with the append-only trigger off: what an attacker with the database password could do. */
  const tamper = (fn: (trx: Trx) => Promise<unknown>) =>
    kernel.db.system(async (trx) => {
      await sql`alter table audit_events disable trigger audit_events_no_update`.execute(trx);
      await fn(trx);
      await sql`alter table audit_events enable trigger audit_events_no_update`.execute(trx);
    });

  it('numbers events 1, 2, 3 … per account and links each to the previous hash', async () => {
    const accountId = await accountWithEvents(3);
    const rows = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['seq', 'prev_hash', 'hash'])
        .where('account_id', '=', accountId)
        .orderBy('seq')
        .execute(),
    );

    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash.equals(Buffer.alloc(32))).toBe(true);
    expect(rows[1]?.prev_hash.equals(rows[0]?.hash as Buffer)).toBe(true);
    expect(rows[2]?.prev_hash.equals(rows[1]?.hash as Buffer)).toBe(true);
  });

  it('keeps a gapless chain when many transactions append at once', async () => {
    const accountId = await accountWithEvents(1);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        kernel.db.tenant(accountId, (trx) =>
          recordAudit(trx, kernel.clock, { accountId, actor, action: `parallel.${i}`, entity: 'test' }),
        ),
      ),
    );

    expect(await chainOf(accountId)).toEqual({ accountId, events: 13, ok: true });
  });

  it('keeps the chain whole after a transaction that appended its events and then rolled back', async () => {
    const accountId = await accountWithEvents(2);
    await expect(
      kernel.db.tenant(accountId, async (trx) => {
        await recordAudit(trx, kernel.clock, { accountId, actor, action: 'test.rolled_back', entity: 'test' });
        // Queued after the audit append, so it fails once the events are in: the commit never happens.
        beforeCommit(trx, async () => {
          throw new Error('fails after the append');
        });
      }),
    ).rejects.toThrow('fails after the append');
    // The process last saw a head that was rolled back; the next append must find the real one.
    await kernel.db.tenant(accountId, (trx) =>
      recordAudit(trx, kernel.clock, { accountId, actor, action: 'test.after', entity: 'test' }),
    );

    expect(await chainOf(accountId)).toEqual({ accountId, events: 3, ok: true });
    const actions = await kernel.db.system((trx) =>
      trx.selectFrom('audit_events').select('action').where('account_id', '=', accountId).orderBy('seq').execute(),
    );
    expect(actions.map((a) => a.action)).toEqual(['account.create', 'test.2', 'test.after']);
  });

  it('rolls the action back when its audit event cannot be written', async () => {
    const accountId = await accountWithEvents(1);
    await kernel.db.system((trx) =>
      sql`alter table audit_events add constraint refuse_note_events check (action <> 'note.create') not valid`.execute(
        trx,
      ),
    );
    try {
      await expect(
        recordContactNote(kernel, {
          accountId,
          actor,
          person: { name: 'Rolled Back', email: 'rollback@example.test' },
          body: 'never stored',
        }),
      ).rejects.toThrow(/refuse_note_events/);
    } finally {
      await kernel.db.system((trx) => sql`alter table audit_events drop constraint refuse_note_events`.execute(trx));
    }

    const left = await kernel.db.system(async (trx) => ({
      subjects: await trx.selectFrom('subjects').select('id').where('account_id', '=', accountId).execute(),
      keys: await trx.selectFrom('subject_keys').select('subject_id').where('account_id', '=', accountId).execute(),
      notes: await trx.selectFrom('contact_notes').select('id').where('account_id', '=', accountId).execute(),
      head: await trx
        .selectFrom('audit_heads')
        .select('seq')
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow(),
    }));
    expect(left).toEqual({ subjects: [], keys: [], notes: [], head: { seq: '1' } });
    expect(await eventCount(accountId)).toBe(1);
  });

  it('refuses UPDATE and DELETE of events by the app role (no grant)', async () => {
    const accountId = await accountWithEvents(2);

    await expect(
      kernel.db.tenant(accountId, (trx) =>
        trx.updateTable('audit_events').set({ action: 'rewritten' }).where('account_id', '=', accountId).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      kernel.db.tenant(accountId, (trx) =>
        trx.deleteFrom('audit_events').where('account_id', '=', accountId).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    expect(await eventCount(accountId)).toBe(2);
  });

  it('refuses UPDATE and DELETE of events even by the owner role (append-only trigger)', async () => {
    const accountId = await accountWithEvents(2);

    await expect(
      kernel.db.system((trx) =>
        trx.updateTable('audit_events').set({ action: 'rewritten' }).where('account_id', '=', accountId).execute(),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      kernel.db.system((trx) => trx.deleteFrom('audit_events').where('account_id', '=', accountId).execute()),
    ).rejects.toThrow(/append-only/);
    expect(await chainOf(accountId)).toEqual({ accountId, events: 2, ok: true });
  });

  describe(verifyAuditChains.name, () => {
    it('verifies untouched chains, one report per account', async () => {
      const first = await accountWithEvents(4);
      const second = await accountWithEvents(2);

      expect(await chainOf(first)).toEqual({ accountId: first, events: 4, ok: true });
      expect(await chainOf(second)).toEqual({ accountId: second, events: 2, ok: true });
    });

    it('detects a changed action in the middle of a chain, at that event', async () => {
      const accountId = await accountWithEvents(5);
      await tamper((trx) =>
        trx
          .updateTable('audit_events')
          .set({ action: 'test.innocent' })
          .where('account_id', '=', accountId)
          .where('seq', '=', '3')
          .execute(),
      );

      expect(await chainOf(accountId)).toMatchObject({
        ok: false,
        brokenAt: { seq: 3, reason: 'content does not match its hash' },
      });
    });

    it('detects a rewritten event whose own hash was recomputed, at the next link', async () => {
      const accountId = await accountWithEvents(5);
      await tamper(async (trx) => {
        await trx
          .updateTable('audit_events')
          .set({ actor_role: 'admin', hash: crypto.randomBytes(32) })
          .where('account_id', '=', accountId)
          .where('seq', '=', '2')
          .execute();
      });

      const report = await chainOf(accountId);
      expect(report?.ok).toBe(false);
      expect(report?.brokenAt?.seq).toBe(2);
    });

    it('detects a deleted event, naming the missing sequence number', async () => {
      const accountId = await accountWithEvents(5);
      await tamper((trx) =>
        trx.deleteFrom('audit_events').where('account_id', '=', accountId).where('seq', '=', '3').execute(),
      );

      expect(await chainOf(accountId)).toMatchObject({
        ok: false,
        events: 2,
        brokenAt: { seq: 3, reason: 'event 3 is missing' },
      });
    });

    it('detects two events swapped in order, at the first of them', async () => {
      const accountId = await accountWithEvents(5);
      await tamper(async (trx) => {
        const at = (seq: string) =>
          trx.updateTable('audit_events').where('account_id', '=', accountId).where('seq', '=', seq);
        await at('2').set({ seq: '-2' }).execute();
        await at('3').set({ seq: '2' }).execute();
        await at('-2').set({ seq: '3' }).execute();
      });

      expect(await chainOf(accountId)).toMatchObject({
        ok: false,
        brokenAt: { seq: 2, reason: 'previous-hash link does not match' },
      });
    });

    it('detects a truncated tail against the chain head', async () => {
      const accountId = await accountWithEvents(5);
      await tamper((trx) =>
        trx.deleteFrom('audit_events').where('account_id', '=', accountId).where('seq', '>=', '4').execute(),
      );

      expect(await chainOf(accountId)).toMatchObject({
        ok: false,
        events: 3,
        brokenAt: { seq: 4, reason: 'chain ends at 3 but its head says 5' },
      });
    });
  });
});

describe('audit events', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel();
  });
  afterAll(async () => kernel.close());

  it('never contain personal values, after the whole thin path', async () => {
    const marker = `Qz${crypto.randomBytes(4).toString('hex')}`;
    const person = { name: `Name ${marker}`, email: `Mail.${marker}@Example.test`, phone: '+44 20 7946 0321' };
    const body = `Body ${marker}`;
    await ensureProviderAccount(kernel, 'Provider');
    const accountId = await createClientAccount(kernel, { name: 'Audit Privacy Ltd' });
    const staff = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'privacy_officer',
      name: `Staff ${marker}`,
      email: `staff.${marker}@example.test`,
      password: `pw-${marker}-long-enough`,
    });
    await expect(
      signIn(kernel, { email: `staff.${marker}@example.test`, password: `wrong-${marker}` }),
    ).rejects.toThrow();
    await signIn(kernel, { email: `staff.${marker}@example.test`, password: `pw-${marker}-long-enough` });
    const actor = { id: staff.userId, role: 'privacy_officer' };

    const { subjectId } = await recordContactNote(kernel, { accountId, actor, person, body });
    await recordContactNote(kernel, {
      accountId,
      actor,
      person: { name: person.name, phone: '020 7946 0321' },
      body: `Second ${marker}`,
    });
    await kernel.db.tenant(accountId, async (trx) => {
      expect(
        await findSubjects(kernel, trx, {
          accountId,
          by: 'email',
          value: person.email,
          actor,
          purpose: 'service_delivery',
        }),
      ).toHaveLength(1);
      await readSubject(kernel, trx, { accountId, subjectId, actor, purpose: 'service_delivery' });
      await exportSubject(kernel, trx, SUBJECT_DATA_SOURCES, { accountId, subjectId, actor });
      await eraseSubject(kernel, trx, SUBJECT_DATA_SOURCES, {
        accountId,
        subjectId,
        actor,
        reason: 'data_subject_request',
      });
    });

    const events = await kernel.db.system(
      async (trx) => (await sql<{ row: string }>`select e::text as row from audit_events e`.execute(trx)).rows,
    );
    const actions = await kernel.db.system((trx) =>
      trx.selectFrom('audit_events').select('action').distinct().execute(),
    );
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'user.create',
        'auth.sign_in_failed',
        'auth.sign_in',
        'note.create',
        'subject.read',
        'subject.export',
        'subject.erase',
      ]),
    );
    const all = events
      .map((e) => e.row)
      .join('\n')
      .toLowerCase();
    for (const needle of [marker, '7946 0321', '79460321', 'example.test']) {
      expect(all, needle).not.toContain(needle.toLowerCase());
    }
  });
});
