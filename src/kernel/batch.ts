/**
 * @module Natural batching (group commit). A job that arrives while a batch with the same key is being written waits,
 * and goes into the next batch together with every other job that arrived meanwhile. A key with nothing in flight
 * writes at once, so a lone request waits for nothing; under load, many requests share one transaction's round
 * trips and one commit instead of each paying for its own. Every job is answered only after its batch committed.
 *
 * @example
 * const submit = createBatcher(async (accountId, jobs) => writeAll(accountId, jobs))
 * const receipt = await submit(accountId, job)
 */

/** One job's outcome: a batch may succeed for some jobs and refuse others (a bad input), without failing them all. */
export type BatchOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export type Batcher<J, R> = (key: string, job: J) => Promise<R>;

type Waiting<J, R> = { job: J; resolve: (value: R) => void; reject: (error: unknown) => void };

/**
 * `write` gets the jobs of one key in arrival order and returns one outcome per job, in the same order; if it throws,
 * every job of that batch fails with the error. At most `concurrency` batches of one key are in flight at once (1:
 * batches of a key never overlap); different keys run concurrently.
 */
export const createBatcher = <J, R>(
  write: (key: string, jobs: readonly J[]) => Promise<readonly BatchOutcome<R>[]>,
  options: { maxBatch?: number; concurrency?: number } = {},
): Batcher<J, R> => {
  const maxBatch = options.maxBatch ?? 64;
  const concurrency = options.concurrency ?? 1;
  const keys = new Map<string, { queue: Waiting<J, R>[]; running: number }>();

  const drain = async (key: string, state: { queue: Waiting<J, R>[]; running: number }) => {
    while (state.queue.length > 0) {
      const batch = state.queue.splice(0, maxBatch);
      try {
        const outcomes = await write(
          key,
          batch.map((w) => w.job),
        );
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i];
          if (!outcome) waiting.reject(new Error('batch writer returned no outcome for a job'));
          else if (outcome.ok) waiting.resolve(outcome.value);
          else waiting.reject(outcome.error);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    state.running -= 1;
    if (state.running === 0) keys.delete(key);
  };

  return (key, job) =>
    new Promise<R>((resolve, reject) => {
      let state = keys.get(key);
      if (!state) {
        state = { queue: [], running: 0 };
        keys.set(key, state);
      }
      state.queue.push({ job, resolve, reject });
      if (state.running < concurrency) {
        state.running += 1;
        void drain(key, state);
      }
    });
};
