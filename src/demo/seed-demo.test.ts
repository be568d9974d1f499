import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { DEMO_PROVIDER_NAME, seedDemo } from './seed-demo.ts';

describe(seedDemo.name, () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
  });
  afterAll(async () => kernel.close());

  it('creates two client businesses, staff, client users and a working inbox, once', async () => {
    const first = await seedDemo(kernel, { password: 'demo password long enough', officeSamples: true });
    expect(first.created).toBe(true);
    expect(first.accounts).toHaveLength(2);
    expect(new Set(first.users.map((u) => u.role))).toEqual(
      new Set(['admin', 'receptionist', 'mailroom', 'privacy_officer', 'owner', 'colleague']),
    );
    const counts = await kernel.db.system(async (trx) => ({
      messages: (await trx.selectFrom('phone_messages').select('id').execute()).length,
      post: (await trx.selectFrom('post_items').select('id').execute()).length,
      notes: (await trx.selectFrom('contact_notes').select('id').execute()).length,
    }));
    expect(counts).toEqual({ messages: 3, post: 3, notes: 3 });

    const again = await seedDemo(kernel, { officeSamples: true });
    expect(again).toMatchObject({ created: false, users: [] });
  });
});
