import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { seedDemo } from '../demo/seed-demo.ts';
import { sweepRightsRequests } from './rights-jobs.ts';
import { logStaffRequest, submitRequest } from './submit-request.ts';

let kernel: TestKernel;
const STAFF = { id: null, role: 'privacy_officer' };

beforeAll(async () => {
  kernel = await createTestKernel({ start: new Date('2026-11-23T09:00:00Z') });
  await seedDemo(kernel, { password: 'correct horse battery staple' });
}, 60_000);

afterAll(async () => {
  await kernel?.close();
});

const reminders = () => kernel.sent.filter((m) => m.subject.startsWith('Rights request due'));

describe('the rights sweep', () => {
  it('CC-10: reminds the privacy team 7 and 2 days before the due date and once when overdue, never twice', async () => {
    await logStaffRequest(kernel, {
      kind: 'access',
      email: 'ivo.pennant@example.test',
      channel: 'phone',
      verification: { method: 'phone', note: 'answered the CP-2 questions' },
      actor: STAFF,
    });
    // Due Wednesday 23 December 2026: reminders on Wednesday 16 and Monday 21 December.
    await sweepRightsRequests(kernel);
    expect(reminders()).toHaveLength(0);
    kernel.clock.set(new Date('2026-12-16T09:00:00Z'));
    await sweepRightsRequests(kernel);
    const first = reminders().length;
    expect(first).toBeGreaterThan(0);
    await sweepRightsRequests(kernel);
    expect(reminders()).toHaveLength(first);
    kernel.clock.set(new Date('2026-12-21T09:00:00Z'));
    await sweepRightsRequests(kernel);
    expect(reminders()).toHaveLength(first * 2);
    expect(reminders().at(-1)?.subject).toBe('Rights request due in 2 days');
    kernel.clock.set(new Date('2026-12-24T09:00:00Z'));
    await sweepRightsRequests(kernel);
    await sweepRightsRequests(kernel);
    expect(reminders()).toHaveLength(first * 3);
  });

  it('shreds a request never verified after a week: the row and its key', async () => {
    const { requestId } = await submitRequest(kernel, {
      kind: 'erasure',
      email: 'nobody@example.test',
      channel: 'web',
    });
    const count = () =>
      kernel.db.system(async (trx) => ({
        rows: (await trx.selectFrom('rights_requests').select('id').where('id', '=', requestId).execute()).length,
        keys: (await trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', requestId).execute())
          .length,
      }));
    kernel.clock.advance({ days: 6 });
    await sweepRightsRequests(kernel);
    expect(await count()).toEqual({ rows: 1, keys: 1 });
    kernel.clock.advance({ days: 2 });
    const result = await sweepRightsRequests(kernel);
    expect(result.purged).toBe(1);
    expect(await count()).toEqual({ rows: 0, keys: 0 });
  });
});
