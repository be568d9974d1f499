import { describe, expect, it } from 'vitest';
import { type BatchOutcome, createBatcher } from './batch.ts';

/** A writer that records each batch it gets and waits until the test releases it. */
const gatedWriter = () => {
  const batches: { key: string; jobs: number[] }[] = [];
  const gates: (() => void)[] = [];
  const write = async (key: string, jobs: readonly number[]): Promise<BatchOutcome<number>[]> => {
    batches.push({ key, jobs: [...jobs] });
    await new Promise<void>((release) => gates.push(release));

    return jobs.map((n) => (n < 0 ? { ok: false, error: new Error(`refused ${n}`) } : { ok: true, value: n * 10 }));
  };
  const releaseNext = async () => {
    for (let i = 0; i < 50 && gates.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
    gates.shift()?.();
  };

  return { write, batches, releaseNext };
};

describe('createBatcher', () => {
  it('writes a lone job at once, and jobs that arrive meanwhile together in the next batch', async () => {
    const writer = gatedWriter();
    const submit = createBatcher(writer.write);
    const first = submit('a', 1);
    const rest = [submit('a', 2), submit('a', 3), submit('a', 4)];
    expect(writer.batches).toEqual([{ key: 'a', jobs: [1] }]);
    await writer.releaseNext();
    expect(await first).toBe(10);
    await writer.releaseNext();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(writer.batches).toEqual([
      { key: 'a', jobs: [1] },
      { key: 'a', jobs: [2, 3, 4] },
    ]);
  });

  it('keeps keys apart and runs them concurrently', async () => {
    const writer = gatedWriter();
    const submit = createBatcher(writer.write);
    const a = submit('a', 1);
    const b = submit('b', 2);
    expect(writer.batches.map((batch) => batch.key)).toEqual(['a', 'b']);
    await writer.releaseNext();
    await writer.releaseNext();
    expect([await a, await b]).toEqual([10, 20]);
  });

  it("answers each job with its own outcome, and fails only a failed batch's jobs", async () => {
    const writer = gatedWriter();
    const submit = createBatcher(writer.write);
    const first = submit('a', 1);
    const refused = submit('a', -2);
    const accepted = submit('a', 3);
    await writer.releaseNext();
    await writer.releaseNext();
    expect(await first).toBe(10);
    await expect(refused).rejects.toThrow('refused -2');
    expect(await accepted).toBe(30);

    const failing = createBatcher<number, number>(async () => {
      throw new Error('connection lost');
    });
    await expect(failing('a', 1)).rejects.toThrow('connection lost');
  });

  it('runs up to `concurrency` batches of one key at once, and the jobs that arrive meanwhile wait together', async () => {
    const writer = gatedWriter();
    const submit = createBatcher(writer.write, { concurrency: 2 });
    const all = [submit('a', 1), submit('a', 2), submit('a', 3), submit('a', 4)];
    expect(writer.batches.map((batch) => batch.jobs)).toEqual([[1], [2]]);
    for (let i = 0; i < 3; i += 1) await writer.releaseNext();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40]);
    expect(writer.batches.map((batch) => batch.jobs)).toEqual([[1], [2], [3, 4]]);
  });

  it('splits a long queue into batches of at most maxBatch, in arrival order', async () => {
    const writer = gatedWriter();
    const submit = createBatcher(writer.write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => submit('a', n));
    for (let i = 0; i < 3; i += 1) await writer.releaseNext();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(writer.batches.map((batch) => batch.jobs)).toEqual([[1], [2, 3], [4, 5]]);
  });
});
