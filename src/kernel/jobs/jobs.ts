/**
 * @module Background jobs on pg-boss, in the same database (PGlite or a server) through the app's own pool.
 * Handlers must be idempotent: pg-boss delivers at least once, and retries a handler that throws.
 *
 * @example
 * await jobs.work('mail.send', async (payload) => mailer.send(payload))
 * await jobs.send('mail.send', { to, subject, text })
 */
import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';

export type JobHandler<T> = (payload: T) => Promise<void>;

/** Per job; the retry settings override the queue's (5 retries, backing off from 5 s). */
export type SendOptions = {
  /** Alone it does not deduplicate (standard queues): combine it with `singletonSeconds`. */
  singletonKey?: string;
  /** At most one job per name and key is enqueued in each period of this many seconds. */
  singletonSeconds?: number;
  startAfter?: Date;
  retryLimit?: number;
  /** Seconds before the first retry. */
  retryDelay?: number;
  retryBackoff?: boolean;
};

export type Jobs = {
  start(): Promise<void>;
  stop(): Promise<void>;
  send<T extends object>(name: string, payload: T, options?: SendOptions): Promise<string | null>;
  work<T extends object>(name: string, handler: JobHandler<T>): Promise<void>;
};

export const createJobs = (db: Database): Jobs => {
  // pg-boss marks a finished job complete (or failed) without awaiting the write, and its stop() can return first:
  // the writes still in flight are tracked so that stop() lets them land before the database closes under them.
  // Likewise a worker whose fetch is in flight when stop() begins still runs the jobs it gets, after pg-boss's stop()
  // has returned: running handlers are tracked too.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>) => {
    inFlight.add(work);
    work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );

    return work;
  };
  const executeSql = (text: string, values?: unknown[]) => track(db.executeSql(text, values));
  const boss = new PgBoss({
    db: { executeSql },
    schema: 'pgboss',
    supervise: true,
    schedule: false,
  });
  const queues = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (queues.has(name)) return;
    await boss.createQueue(name, { name, retryLimit: 5, retryDelay: 5, retryBackoff: true });
    queues.add(name);
  };
  boss.on('error', () => {
    // pg-boss reports polling failures here; they are retried on the next poll and must not crash the process.
  });

  return {
    start: async () => {
      await boss.start();
    },
    stop: async () => {
      // Wait for running jobs to finish before the database closes under them: a job still running when the wait
      // ends is failed by pg-boss through a pool that is gone. On a loaded machine a sweep can take seconds.
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
      // A settled fetch lets its worker start a handler, and a handler's end starts the completion write: wait until
      // a whole turn of the event loop passes with nothing in flight.
      while (inFlight.size > 0) {
        await Promise.allSettled([...inFlight]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    send: async (name, payload, options) => {
      await ensureQueue(name);

      return boss.send(name, payload, options ?? {});
    },
    work: async (name, handler) => {
      await ensureQueue(name);
      await boss.work(name, { batchSize: 10, pollingIntervalSeconds: 1 }, (jobs) =>
        track(
          (async () => {
            for (const job of jobs) await handler(job.data as never);
          })(),
        ),
      );
    },
  };
};
