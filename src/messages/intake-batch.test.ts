import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount } from '../../test/support/office-fixtures.ts';
import { rowCounts } from '../../test/support/row-counts.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { createUser } from '../auth/auth.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { type MessageReceipt, type TakeMessage, takeMessage } from './take-message.ts';

/**
 * Messages taken at the same moment for one client are written in batches: the first two go alone (two batches of an
 * account may be in flight at once), and the ones that arrive while they are being written go together in the next
 * (see `src/kernel/batch.ts`). Each test starts two openers and the rest in the same tick, so the rest form one batch.
 */
describe('taking phone messages in batches', () => {
  let kernel: TestKernel;
  let accountId: string;
  let actor: { id: string; role: string };

  const message = (over: Partial<TakeMessage>): TakeMessage => ({
    accountId,
    actor,
    callerName: 'Ivo Marchetti',
    message: 'Please call back about the boiler service',
    urgency: 'normal',
    callbackRequested: false,
    idempotencyKey: crypto.randomUUID(),
    ...over,
  });

  /** Two messages from new callers that take the account's two batch slots, so what follows waits as one batch. */
  const openers = (): [Promise<MessageReceipt>, Promise<MessageReceipt>] => [
    takeMessage(kernel, message({ callerName: 'Opal Fenwick', phone: `020 7946 ${crypto.randomInt(1000, 9999)}` })),
    takeMessage(kernel, message({ callerName: 'Nell Achterberg', email: `${crypto.randomUUID()}@example.test` })),
  ];

  const counts = async () => {
    const n = await rowCounts(kernel.db, ['phone_messages', 'subjects', 'subject_keys']);
    // The owner is e-mailed each message after the answer; those deliveries' own events are not the intake's.
    const audit = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', 'in', ['message.create', 'subject.create'])
        .executeTakeFirstOrThrow(),
    );

    return { messages: n.phone_messages, subjects: n.subjects, keys: n.subject_keys, audit: Number(audit.n) };
  };

  /** Each message and each new caller (with their key) has one audit event. */
  const grown = (before: Awaited<ReturnType<typeof counts>>, added: { messages: number; newCallers: number }) => ({
    messages: before.messages + added.messages,
    subjects: before.subjects + added.newCallers,
    keys: before.keys + added.newCallers,
    audit: before.audit + added.messages + added.newCallers,
  });

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Provider');
    accountId = (await createOfficeAccount(kernel, 'Marchetti Heating')).accountId;
    const { userId } = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'receptionist',
      name: 'Bea Desk',
      email: 'bea@provider.test',
      password: 'correct horse battery staple',
    });
    actor = { id: userId, role: 'receptionist' };
  });
  afterAll(async () => kernel.close());

  it('links a new caller who calls twice in one batch to one person, and records a form sent twice once', async () => {
    const before = await counts();
    const twiceKey = crypto.randomUUID();
    const [first, second, newCaller, sameCaller, resent, byEmail] = await Promise.all([
      ...openers(),
      takeMessage(kernel, message({ callerName: 'Ravi Osei', phone: '020 7946 0402' })),
      takeMessage(kernel, message({ callerName: 'R. Osei', phone: '+44 20 7946 0402', idempotencyKey: twiceKey })),
      takeMessage(kernel, message({ callerName: 'R. Osei', phone: '+44 20 7946 0402', idempotencyKey: twiceKey })),
      takeMessage(kernel, message({ callerName: 'Tess Aldous', email: 'tess.aldous@example.test' })),
    ]);

    expect([first, second]).toMatchObject([
      { linkedExisting: false, replayed: false },
      { linkedExisting: false, replayed: false },
    ]);
    expect(newCaller).toMatchObject({ linkedExisting: false, replayed: false });
    expect(sameCaller).toMatchObject({
      linkedExisting: true,
      replayed: false,
      callerSubjectId: newCaller.callerSubjectId,
    });
    expect(resent).toEqual({ ...sameCaller, replayed: true });
    expect(byEmail).toMatchObject({ linkedExisting: false, replayed: false });
    const people = [first, second, newCaller, byEmail].map((r) => r.callerSubjectId);
    expect(new Set(people).size).toBe(4);
    expect(await counts()).toEqual(grown(before, { messages: 5, newCallers: 4 }));

    // Rows written by one transaction share its id (xmin): the openers went alone, the rest in one batch.
    const written = await kernel.db.system((trx) =>
      trx
        .selectFrom('phone_messages')
        .select(['id', sql<string>`xmin::text`.as('tx')])
        .where('id', 'in', [
          first.messageId,
          second.messageId,
          newCaller.messageId,
          sameCaller.messageId,
          byEmail.messageId,
        ])
        .execute(),
    );
    const tx = new Map(written.map((r) => [r.id, r.tx]));
    expect(new Set([newCaller, sameCaller, byEmail].map((r) => tx.get(r.messageId))).size).toBe(1);
    expect(new Set([first, second, newCaller].map((r) => tx.get(r.messageId))).size).toBe(3);

    const stored = await kernel.db.tenant(accountId, async (trx) => {
      const rows = await trx
        .selectFrom('phone_messages')
        .select(['id', 'caller_subject_id', 'body'])
        .where('id', 'in', [newCaller.messageId, sameCaller.messageId])
        .execute();

      return Promise.all(
        rows.map(async (r) => ({
          caller: r.caller_subject_id,
          body: await kernel.vault.open(trx, r.body, 'phone_messages.body'),
        })),
      );
    });
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row).toEqual({ caller: newCaller.callerSubjectId, body: 'Please call back about the boiler service' });
    }
  });

  it('records two copies of one form racing in the two batches in flight once, and answers both with it', async () => {
    const before = await counts();
    const form = message({ callerName: 'Pia Lindqvist', phone: '020 7946 0441' });
    // The account's two batch slots each take one copy: both look the key up before either has committed.
    const [a, b] = await Promise.all([takeMessage(kernel, form), takeMessage(kernel, { ...form })]);

    expect(a.messageId).toBe(b.messageId);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(await counts()).toEqual(grown(before, { messages: 1, newCallers: 1 }));
  });

  it('refuses a restricted caller without failing the messages written with it', async () => {
    const restricted = await takeMessage(kernel, message({ callerName: 'Una Pell', phone: '020 7946 0411' }));
    await kernel.db.tenant(accountId, (trx) =>
      trx
        .insertInto('processing_controls')
        .values({
          account_id: accountId,
          subject_id: restricted.callerSubjectId,
          kind: 'restriction',
          purpose: null,
          active: true,
          recorded_at: kernel.clock.now(),
        })
        .execute(),
    );
    const before = await counts();
    const [first, second, before1, refused, after] = await Promise.allSettled([
      ...openers(),
      takeMessage(kernel, message({ callerName: 'Cal Brandt', phone: '020 7946 0412' })),
      takeMessage(kernel, message({ callerName: 'Una Pell', phone: '020 7946 0411' })),
      takeMessage(kernel, message({ callerName: 'Dee Hollis', phone: '020 7946 0413' })),
    ]);

    expect([first.status, second.status, before1.status]).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'PURPOSE_REFUSED' } });
    expect(after).toMatchObject({ status: 'fulfilled', value: { linkedExisting: false, replayed: false } });
    expect(await counts()).toEqual(grown(before, { messages: 4, newCallers: 4 }));
  });

  it('tries each message again on its own when the batch fails as a whole, so only the bad one fails', async () => {
    const before = await counts();
    // PostgreSQL text cannot hold a NUL: the batch's first statement fails for every message in it.
    const [first, second, good, bad, alsoGood] = await Promise.allSettled([
      ...openers(),
      takeMessage(kernel, message({ callerName: 'Hana Vos', phone: '020 7946 0422' })),
      takeMessage(kernel, message({ callerName: 'Bad Key', phone: '020 7946 0423', idempotencyKey: 'nul\u0000key' })),
      takeMessage(kernel, message({ callerName: 'Ida Lund', phone: '020 7946 0424' })),
    ]);

    expect([first.status, second.status, good.status, bad.status, alsoGood.status]).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await counts()).toEqual(grown(before, { messages: 4, newCallers: 4 }));
  });

  it('answers 404 for every message of a batch for an account that is not a client, writing nothing', async () => {
    const before = await counts();
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) => takeMessage(kernel, message({ accountId: PROVIDER_ACCOUNT_ID, phone: `020 7946 043${n}` }))),
    );

    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'))).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
    expect(await counts()).toEqual(before);
  });
});
