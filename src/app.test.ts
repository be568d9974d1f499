import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestKernel, type TestKernel } from '../test/support/kernel.ts';
import { ensureProviderAccount } from './accounts/accounts.ts';
import { startBackgroundWork } from './app.ts';
import { createUser } from './auth/auth.ts';
import { PROVIDER_ACCOUNT_ID } from './kernel/db/schema.ts';

describe(startBackgroundWork.name, () => {
  let kernel: TestKernel;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    kernel = await createTestKernel();
  });
  afterAll(async () => {
    for (const stop of stops) stop();
    await kernel.close();
  });

  it('enqueues the session purge once per hour however many processes start, and the job deletes expired sessions', async () => {
    await ensureProviderAccount(kernel, 'Provider');
    const { userId } = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'admin',
      name: 'Purge Test',
      email: 'purge@example.test',
      password: 'long enough password',
    });
    const session = (token: string, expiresAt: Date) => ({
      token_hash: Buffer.from(token.padEnd(32, '0')),
      user_id: userId,
      csrf_token: token,
      created_at: new Date(expiresAt.getTime() - 3_600_000),
      expires_at: expiresAt,
    });
    const now = kernel.clock.now().getTime();
    await kernel.db.system((trx) =>
      trx
        .insertInto('sessions')
        .values([session('expired', new Date(now - 1000)), session('current', new Date(now + 3_600_000))])
        .execute(),
    );

    stops.push(await startBackgroundWork(kernel));
    stops.push(await startBackgroundWork(kernel));

    const jobs = await kernel.db.system(
      async (trx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from pgboss.job where name = 'auth.purge-expired-sessions'`.execute(trx)
        ).rows[0]?.n,
    );
    expect(jobs).toBe(1);
    await vi.waitFor(
      async () => {
        const left = await kernel.db.system((trx) => trx.selectFrom('sessions').select('csrf_token').execute());
        expect(left).toEqual([{ csrf_token: 'current' }]);
      },
      { timeout: 30_000, interval: 200 },
    );
  });
});
