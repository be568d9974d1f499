import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.ts';
import type { Database } from '../db/database.ts';
import { createJobs } from './jobs.ts';

/** Resolves with what the handler reports, or fails the test with `what` if nothing comes (a guard, not a timing check). */
const deferred = <T>(what: string) => {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    setTimeout(() => fail(new Error(`${what} did not happen`)), 30_000).unref();
  });

  return { promise, resolve };
};

describe(createJobs.name, () => {
  let kernel: TestKernel;

  beforeAll(async () => {
    kernel = await createTestKernel();
    await kernel.jobs.start();
  });
  afterAll(async () => kernel.close());

  it('runs a job sent to a queue, with its payload, on the test database', async () => {
    const ran = deferred<{ greeting: string }>('the job');
    await kernel.jobs.work<{ greeting: string }>('test.run-once', async (payload) => ran.resolve(payload));

    const id = await kernel.jobs.send('test.run-once', { greeting: 'hello' });

    expect(id).toEqual(expect.any(String));
    expect(await ran.promise).toEqual({ greeting: 'hello' });
  });

  it('retries a handler that fails, until it succeeds', async () => {
    const attempts: string[] = [];
    const succeeded = deferred<number>('the retry');
    await kernel.jobs.work<{ n: number }>('test.fail-once', async (payload) => {
      attempts.push(`attempt ${attempts.length + 1} of job ${payload.n}`);
      if (attempts.length === 1) throw new Error('transient failure');
      succeeded.resolve(attempts.length);
    });

    await kernel.jobs.send('test.fail-once', { n: 7 }, { retryLimit: 3, retryDelay: 0, retryBackoff: false });

    expect(await succeeded.promise).toBe(2);
    expect(attempts).toEqual(['attempt 1 of job 7', 'attempt 2 of job 7']);
  });

  it("lets a finished job's completion and a failed job's failure land before stop() returns", async () => {
    const jobs = createJobs(kernel.db);
    await jobs.start();
    const ran = deferred<string>('both handlers');
    const done = new Set<string>();
    const handler = (name: string, fail: boolean) => async () => {
      done.add(name);
      if (done.size === 2) ran.resolve('both');
      if (fail) throw new Error('refused on purpose');
    };
    await jobs.work('test.stop-after-success', handler('success', false));
    await jobs.work('test.stop-after-failure', handler('failure', true));
    const ids = [
      await jobs.send('test.stop-after-success', {}),
      await jobs.send('test.stop-after-failure', {}, { retryLimit: 0 }),
    ];
    await ran.promise;
    await jobs.stop();

    // pg-boss does not await these writes itself: without waiting for them, a job could still read active here,
    // and the write would then run into a closed database.
    const states = await kernel.db.executeSql('select name, state from pgboss.job where id = any($1) order by name', [
      ids,
    ]);
    expect(states.rows).toEqual([
      { name: 'test.stop-after-failure', state: 'failed' },
      { name: 'test.stop-after-success', state: 'completed' },
    ]);
  });

  it('runs and completes the jobs a fetch in flight when stop() began brings back, before stop() returns', async () => {
    // The worker's first fetch is held until stop() has begun; pg-boss's own stop() does not wait for it.
    let holdNextFetch = true;
    let releaseFetch = () => {};
    const fetchHeld = deferred<void>('the held fetch');
    let stopped = false;
    const queriesAfterStop: string[] = [];
    const db: Database = {
      ...kernel.db,
      executeSql: async (text, values) => {
        if (stopped) queriesAfterStop.push(text.trim().slice(0, 40));
        if (holdNextFetch && text.includes('SKIP LOCKED')) {
          holdNextFetch = false;
          fetchHeld.resolve();
          await new Promise<void>((resolve) => {
            releaseFetch = resolve;
          });
        }

        return kernel.db.executeSql(text, values);
      },
    };
    const jobs = createJobs(db);
    await jobs.start();
    const id = await jobs.send('test.fetched-while-stopping', {});
    const ran: string[] = [];
    await jobs.work('test.fetched-while-stopping', async () => {
      await kernel.db.executeSql('select 1');
      ran.push('handler');
    });
    await fetchHeld.promise;

    const stopping = jobs.stop();
    // Released after pg-boss has found no job running and shut down; released sooner, pg-boss would wait for it itself.
    setTimeout(() => releaseFetch(), 100);
    await stopping;
    stopped = true;

    expect(ran).toEqual(['handler']);
    const states = await kernel.db.executeSql('select state from pgboss.job where id = $1', [id]);
    expect(states.rows).toEqual([{ state: 'completed' }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(queriesAfterStop).toEqual([]);
  });

  it('enqueues a job with a singleton key and period only once in that period', async () => {
    const once = { singletonKey: 'only-one', singletonSeconds: 3_600 };
    const first = await kernel.jobs.send('test.singleton', { n: 1 }, once);
    const second = await kernel.jobs.send('test.singleton', { n: 2 }, once);
    const otherKey = await kernel.jobs.send('test.singleton', { n: 3 }, { ...once, singletonKey: 'another' });

    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(otherKey).toEqual(expect.any(String));
  });
});
