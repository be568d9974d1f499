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
 * every job of that batch fails with the error. Batches of one key never overlap; different keys run concurrently.
 */
export const createBatcher = <J, R>(
  write: (key: string, jobs: readonly J[]) => Promise<readonly BatchOutcome<R>[]>,
  options: { maxBatch: number } = { maxBatch: 64 },
): Batcher<J, R> => {
  const queues = new Map<string, Waiting<J, R>[]>();

  const drain = async (key: string, queue: Waiting<J, R>[]) => {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
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
    queues.delete(key);
  };

  return (key, job) =>
    new Promise<R>((resolve, reject) => {
      const running = queues.get(key);
      if (running) {
        running.push({ job, resolve, reject });
        return;
      }
      const queue = [{ job, resolve, reject }];
      queues.set(key, queue);
      void drain(key, queue);
    });
};
