/**
 * Durability under SIGKILL: the real server runs as a child process while concurrent clients record contact notes;
 * it is killed mid-load, restarted on the same data, and every note whose 201 arrived must still be there, readable
 * through the API (blind-index look-up by e-mail, then the decrypted notes). At the end the server stops cleanly and
 * `custodian audit:verify` must find every audit hash chain intact.
 *
 * Runs on PGlite (a data directory on disk) or, with TEST_DATABASE_URL, on a throwaway PostgreSQL database.
 * A SIGKILL is not a power cut: the operating system keeps what was written, so this checks that a commit has
 * reached the OS before the response is sent, not that it has reached the platter.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'custodian.js');
const CYCLES = 3;
const CLIENTS = 8;
/** Clients share sessions: sign-in is rate-limited to 10 a minute per address, and each costs an Argon2 hash. */
const SESSIONS = 4;
/** Load runs for a random time in this range (ms) before the kill… */
const LOAD_MS = [800, 2_000] as const;
/** …and at least until this many notes were acknowledged in the cycle (a slow CI machine still kills mid-load). */
const MIN_ACKNOWLEDGED = 24;
const MIN_ACKNOWLEDGED_WAIT_MS = 20_000;
/** A bound on each client's notes per cycle, whatever the speed of the machine. */
const MAX_NOTES_PER_CLIENT = 400;
/** Every tenth note is about a new person, so subject creation (data key, sealed fields) is killed mid-way too. */
const NEW_PERSON_EVERY = 10;
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

const postgresUrl = process.env.TEST_DATABASE_URL;
const backend = postgresUrl ? 'postgres' : 'pglite';

type Note = { marker: string; email: string; cycle: number; noteId?: string };
type Session = { cookie: string; csrf: string };
type Server = { child: ChildProcess; url: string; exited: Promise<number | null> };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Runs the CLI to completion with the pinned Node (the one running this test). */
const runCli = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits `n` items over `limit` concurrent workers. */
const eachLimited = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await fn(item);
      }
    }),
  );
};

const sample = (notes: readonly Note[]) =>
  notes
    .slice(0, 5)
    .map((n) => n.marker)
    .join('; ');

const typeStrippingNode = (version: string) => {
  const [major = 0, minor = 0] = version.split('.').map(Number);

  return major > 22 || (major === 22 && minor >= 18);
};

describe(`kill -9 under load, then restart (${backend})`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-durability-'));
  const runId = crypto.randomBytes(4).toString('hex');
  let env: NodeJS.ProcessEnv = {};
  let dropDatabase: () => Promise<void> = async () => {};
  let server: Server | undefined;
  let login = { email: '', password: '' };

  /** Starts `custodian start` on a free port; retries if another process took the port in between. */
  const startServer = async (attempt = 1): Promise<Server> => {
    try {
      return await startServerOnce(await freePort());
    } catch (error) {
      if (attempt < 3 && String(error).includes('EADDRINUSE')) return startServer(attempt + 1);
      throw error;
    }
  };

  const startServerOnce = async (port: number): Promise<Server> => {
    const child = spawn(process.execPath, [CLI, 'start'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`));
      }, READY_TIMEOUT_MS);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('Custodian is running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      expect(health.status).toBe(200);
      expect(((await health.json()) as { database: string }).database).toBe(backend);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }

    return { child, url, exited };
  };

  const kill = async (s: Server, signal: NodeJS.Signals) => {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
    await s.exited;
  };

  const signIn = async (url: string): Promise<Session> => {
    const res = await fetch(`${url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { csrfToken: string };

    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: body.csrfToken };
  };

  const getJson = async <T>(url: string, session: Session): Promise<T> => {
    const res = await fetch(url, {
      headers: { cookie: session.cookie },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(res.status, `${url}: ${await res.clone().text()}`).toBe(200);

    return (await res.json()) as T;
  };

  /** Reads every note about each e-mail through the API; returns the notes that are missing. */
  const verify = async (url: string, session: Session, accountId: string, notes: readonly Note[]) => {
    const base = `${url}/api/accounts/${accountId}`;
    const byEmail = new Map<string, Note[]>();
    for (const note of notes) byEmail.set(note.email, [...(byEmail.get(note.email) ?? []), note]);
    const stored = new Map<string, string>();
    await eachLimited([...byEmail.keys()], 4, async (email) => {
      const { subjects } = await getJson<{ subjects: { id: string }[] }>(
        `${base}/subjects?email=${encodeURIComponent(email)}`,
        session,
      );
      for (const subject of subjects) {
        const detail = await getJson<{ notes: { id: string; body: string | null }[] }>(
          `${base}/subjects/${subject.id}`,
          session,
        );
        for (const n of detail.notes) if (n.body) stored.set(n.body, n.id);
      }
    });
    const lost = notes.filter((n) => !stored.has(n.marker));
    const wrongId = notes.filter((n) => n.noteId && stored.has(n.marker) && stored.get(n.marker) !== n.noteId);
    const markers = new Set(notes.map((n) => n.marker));
    // Notes about these people that committed although their 201 never arrived (in flight at the kill).
    const unacknowledged = [...stored.keys()].filter((body) => body.includes(runId) && !markers.has(body)).length;

    return { lost, wrongId, unacknowledged };
  };

  beforeAll(async () => {
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      COOKIE_SECURE: '0',
      JOBS: '0',
    };
    if (postgresUrl) {
      const name = `custodian_durability_${runId}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      base.DATABASE_URL = url.toString();
      dropDatabase = async () => {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      };
    }
    env = base;
    const seeded = await runCli(['demo'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    const line = /^\s*receptionist\s+(\S+)\s+(\S+)\s+\(/m.exec(seeded.stdout);
    if (!line?.[1] || !line[2]) throw new Error(`no receptionist in the demo output:\n${seeded.stdout}`);
    login = { email: line[1], password: line[2] };
  });

  afterAll(async () => {
    if (server) await kill(server, 'SIGKILL');
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the server under a Node that strips types (the pinned one, via npm scripts or npx)', () => {
    expect(typeStrippingNode(process.versions.node), `node ${process.version} at ${process.execPath}`).toBe(true);
  });

  it(`loses no acknowledged note across ${CYCLES} SIGKILLs`, { timeout: 150_000 }, async () => {
    const started = Date.now();
    server = await startServer();
    let verifier = await signIn(server.url);
    const { accounts } = await getJson<{ accounts: { id: string; name: string }[] }>(
      `${server.url}/api/accounts`,
      verifier,
    );
    const accountId = accounts[0]?.id;
    if (!accountId) throw new Error('the demo tenant has no client account');
    const acknowledged: Note[] = [];
    const unexpected: string[] = [];
    let inFlightAtKill = 0;
    let lost = 0;

    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      const live = server;
      const sessions = [verifier];
      while (sessions.length < SESSIONS) sessions.push(await signIn(live.url));
      let stopping = false;
      let inFlight = 0;
      const cycleNotes: Note[] = [];
      const client = async (i: number) => {
        const session = sessions[i % sessions.length] as Session;
        for (let k = 1; k <= MAX_NOTES_PER_CLIENT && !stopping; k += 1) {
          const fresh = k % NEW_PERSON_EVERY === 0;
          const email = fresh ? `durability.c${cycle}.l${i}.n${k}@example.test` : `durability.client${i}@example.test`;
          const marker = `Durability ${runId} cycle ${cycle} client ${i} note ${k}`;
          inFlight += 1;
          try {
            const res = await fetch(`${live.url}/api/accounts/${accountId}/contact-notes`, {
              method: 'POST',
              headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
              body: JSON.stringify({
                person: { name: fresh ? `Fresh Person ${k}` : `Client Loop ${i}`, email },
                body: marker,
              }),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            if (res.status !== 201) {
              unexpected.push(`${res.status} ${await res.text().catch(() => '')}`);
              continue;
            }
            // The 201 is the acknowledgement: the server sends it only after the transaction committed.
            const note: Note = { marker, email, cycle };
            cycleNotes.push(note);
            const body = (await res.json().catch(() => null)) as { noteId?: string } | null;
            if (body?.noteId) note.noteId = body.noteId;
          } catch (error) {
            if (!stopping) unexpected.push(`request failed before the kill: ${String(error)}`);
            return;
          } finally {
            inFlight -= 1;
          }
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
      await sleep(LOAD_MS[0] + Math.random() * (LOAD_MS[1] - LOAD_MS[0]));
      for (
        let waited = 0;
        cycleNotes.length < MIN_ACKNOWLEDGED && waited < MIN_ACKNOWLEDGED_WAIT_MS && unexpected.length === 0;
        waited += 50
      ) {
        await sleep(50);
      }
      stopping = true;
      inFlightAtKill += inFlight;
      await kill(live, 'SIGKILL');
      await load;
      expect(unexpected, unexpected.slice(0, 3).join('\n')).toEqual([]);
      expect(cycleNotes.length, `cycle ${cycle} acknowledged nothing before the kill`).toBeGreaterThan(0);
      acknowledged.push(...cycleNotes);

      server = await startServer();
      verifier = await signIn(server.url);
      const check = await verify(server.url, verifier, accountId, cycleNotes);
      expect(check.lost.length, `lost after kill ${cycle}: ${sample(check.lost)}`).toBe(0);
      expect(check.wrongId.length, `stored under another id: ${sample(check.wrongId)}`).toBe(0);
      lost += check.lost.length;
    }

    // Everything from every cycle, read again after the last restart.
    const final = await verify(server.url, verifier, accountId, acknowledged);
    expect(final.lost.length, `lost: ${sample(final.lost)}`).toBe(0);
    await kill(server, 'SIGTERM');
    server = undefined;
    const audit = await runCli(['audit:verify'], env);
    expect(audit.code, `${audit.stdout}\n${audit.stderr}`).toBe(0);
    expect(audit.stdout).toMatch(/All \d+ chains verify/);

    console.log(
      `[durability ${backend}, node ${process.version}] cycles=${CYCLES} acknowledged=${acknowledged.length} verified=${acknowledged.length - final.lost.length}` +
        ` lost=${lost + final.lost.length} in-flight-at-kill=${inFlightAtKill} committed-unacknowledged-seen=${final.unacknowledged}` +
        ` audit=ok seconds=${((Date.now() - started) / 1000).toFixed(1)}`,
    );
  });
});
