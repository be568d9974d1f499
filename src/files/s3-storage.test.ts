import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, signIn } from '../../test/support/http.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { multipartBody, tinyPdf } from '../../test/support/uploads.ts';
import { ConfigError, loadConfig, type S3Location } from '../kernel/config.ts';
import { AppError } from '../kernel/errors.ts';
import { s3FileStorage, signS3Request } from './s3-storage.ts';

// s3rver is a real S3-compatible server (its own routing, storage, error documents), but it does not check SigV4
// signatures. So the tests put a front in front of it that verifies every signature and payload hash with `aws4`, an
// implementation independent of ours, and refuses what does not verify the way S3 does.
const require = createRequire(import.meta.url);
type S3rverInstance = { run(): Promise<AddressInfo>; close(): Promise<void> };
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
const aws4 = require('aws4') as {
  sign(
    request: {
      host: string;
      path: string;
      method: string;
      headers: Record<string, string>;
      service: string;
      region: string;
    },
    credentials: { accessKeyId: string; secretAccessKey: string },
  ): { headers: Record<string, string> };
};

const REGION = 'eu-west-2';
const BUCKET = 'custodian-scans';
const KEY_ID = 'AKIDHARBOURLANE01';
// A `/` and a `+`, as real secrets have, to prove the URL's percent-encoding is undone.
const SECRET = 'wJalr/XUtnF+EMIK7MDENGbPxRfiCYSECRETKEY';
const MARKER = 'ZQXS3SCANMARK';

type FakeS3 = {
  port: number;
  dir: string;
  /** Every request the front saw: method, path, and how it was answered. */
  seen: { method: string; path: string; status: number }[];
  /** Object keys in the bucket with their stored bytes, read from s3rver's own folder. */
  objects(): Map<string, Buffer>;
  close(): Promise<void>;
};

const s3Error = (res: http.ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
};

const startFakeS3 = async (): Promise<FakeS3> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-s3-'));
  const backend = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
    vhostBuckets: false,
  });
  const backendPort = (await backend.run()).port;
  const seen: FakeS3['seen'] = [];

  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const answer = (status: number, code: string) => {
          seen.push({ method: req.method ?? '', path: req.url ?? '', status });
          s3Error(res, status, code);
        };
        const auth =
          /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
            req.headers.authorization ?? '',
          );
        if (!auth) return answer(403, 'AccessDenied');
        const [, keyId = '', scope = '', signedHeaders = ''] = auth;
        if (keyId !== KEY_ID) return answer(403, 'InvalidAccessKeyId');
        if (!scope.endsWith(`/${REGION}/s3/aws4_request`)) return answer(400, 'AuthorizationHeaderMalformed');
        const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
        if (payloadHash !== crypto.createHash('sha256').update(body).digest('hex')) {
          return answer(400, 'XAmzContentSHA256Mismatch');
        }
        const headers = Object.fromEntries(signedHeaders.split(';').map((h) => [h, String(req.headers[h] ?? '')]));
        const expected = aws4.sign(
          {
            host: headers.host ?? '',
            path: req.url ?? '/',
            method: req.method ?? 'GET',
            headers,
            service: 's3',
            region: REGION,
          },
          { accessKeyId: KEY_ID, secretAccessKey: SECRET },
        );
        // aws4 separates the parts with ', ', we with ','; both are valid: compare what was signed and the signature.
        const theirs = expected.headers.Authorization?.replace(/, /g, ',');
        if (theirs !== req.headers.authorization) return answer(403, 'SignatureDoesNotMatch');
        // Verified: s3rver serves it (anonymously, since it knows only its own demo key).
        const forwarded = await fetch(`http://127.0.0.1:${backendPort}${req.url}`, {
          method: req.method ?? 'GET',
          headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
          ...(body.length > 0 || req.method === 'PUT' ? { body: new Uint8Array(body) } : {}),
        });
        const out = Buffer.from(await forwarded.arrayBuffer());
        seen.push({ method: req.method ?? '', path: req.url ?? '', status: forwarded.status });
        res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/plain' });
        res.end(out);
      })().catch(() => s3Error(res, 500, 'InternalError'));
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));

  return {
    port: (front.address() as AddressInfo).port,
    dir,
    seen,
    objects: () => {
      const out = new Map<string, Buffer>();
      const root = path.join(dir, BUCKET);
      if (!fs.existsSync(root)) return out;
      for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('._S3rver_object')) continue;
        const full = path.join(entry.parentPath, entry.name);
        out.set(path.relative(root, full).replace(/\._S3rver_object$/, ''), fs.readFileSync(full));
      }

      return out;
    },
    close: async () => {
      await new Promise((resolve) => front.close(resolve));
      await backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

const s3Url = (port: number, options: { secret?: string; bucket?: string; folder?: string } = {}) =>
  `http://${KEY_ID}:${encodeURIComponent(options.secret ?? SECRET)}@127.0.0.1:${port}/${options.bucket ?? BUCKET}` +
  `${options.folder ? `/${options.folder}` : ''}?region=${REGION}&path_style=true`;

const locationOf = (url: string) => loadConfig({ S3_URL: url }).s3 as S3Location;

const rejectionOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a rejection');
};

describe('S3 signature (AWS Signature Version 4)', () => {
  // The worked examples of AWS's S3 SigV4 documentation ("Examples: Signature calculations"), with its example keys.
  const example = {
    host: 'examplebucket.s3.amazonaws.com',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    date: new Date('2013-05-24T00:00:00Z'),
  };

  it('matches the published GET Object example', () => {
    const { headers } = signS3Request({
      ...example,
      method: 'GET',
      path: '/test.txt',
      headers: { range: 'bytes=0-9' },
      payloadHash: crypto.createHash('sha256').update('').digest('hex'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('matches the published PUT Object example (payload hash, a path character to encode)', () => {
    const { path: sent, headers } = signS3Request({
      ...example,
      method: 'PUT',
      path: '/test$file.text',
      headers: { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      payloadHash: crypto.createHash('sha256').update('Welcome to Amazon S3.').digest('hex'),
    });
    expect(sent).toBe('/test%24file.text');
    expect(headers.authorization).toMatch(
      /SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd$/,
    );
  });
});

describe('S3_URL', () => {
  it('reads the key id, secret (percent-decoded), bucket, folder, region and addressing style', () => {
    expect(
      loadConfig({ S3_URL: `https://${KEY_ID}:${encodeURIComponent(SECRET)}@s3.example.test/${BUCKET}/office/scans/` })
        .s3,
    ).toEqual({
      endpoint: 'https://s3.example.test',
      bucket: BUCKET,
      prefix: 'office/scans',
      region: 'us-east-1',
      pathStyle: true,
      accessKeyId: KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(locationOf(`https://k:s@s3.example.test:9000/${BUCKET}?region=eu-west-2&path_style=false`)).toMatchObject({
      endpoint: 'https://s3.example.test:9000',
      prefix: '',
      region: REGION,
      pathStyle: false,
    });
    expect(loadConfig({}).s3).toBeUndefined();
  });

  it.each([
    ['not a url', 'must be a URL'],
    [`http://k:${encodeURIComponent(SECRET)}@s3.example.test/${BUCKET}`, 'must start with https://'],
    [`https://s3.example.test/${BUCKET}`, 'access key id and secret'],
    [`https://k:${encodeURIComponent(SECRET)}@s3.example.test/`, 'must name the bucket'],
    [`https://k:${encodeURIComponent(SECRET)}@s3.example.test/${BUCKET}?regoin=eu-west-2`, 'unknown option "regoin"'],
    [`https://k:${encodeURIComponent(SECRET)}@s3.example.test/${BUCKET}?path_style=maybe`, 'path_style'],
    [`https://k:${encodeURIComponent(SECRET)}@s3.example.test/${BUCKET}/a//b`, 'invalid folder'],
  ])('refuses %s, naming the variable but never the secret', (value, problem) => {
    let error: unknown;
    try {
      loadConfig({ S3_URL: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('S3_URL');
    expect((error as ConfigError).message).toContain(problem);
    expect((error as ConfigError).message).not.toContain('wJalr');
  });
});

describe('S3 file storage against a real S3-compatible server', () => {
  let s3: FakeS3;
  const accountId = crypto.randomUUID();

  beforeAll(async () => {
    s3 = await startFakeS3();
  });
  afterAll(async () => s3?.close());

  it('writes, reads back and deletes an object under the URL folder, every request signed and verified', async () => {
    const storage = s3FileStorage(locationOf(s3Url(s3.port, { folder: 'office/scans' })));
    const fileId = crypto.randomUUID();
    const sealed = crypto.randomBytes(4096);
    const before = s3.seen.length;

    await storage.put(`${accountId}/${fileId}`, sealed);
    expect(s3.objects().get(`office/scans/${accountId}/${fileId}`)?.equals(sealed)).toBe(true);
    expect((await storage.get(`${accountId}/${fileId}`))?.equals(sealed)).toBe(true);
    await storage.delete(`${accountId}/${fileId}`);
    expect(s3.objects().has(`office/scans/${accountId}/${fileId}`)).toBe(false);

    expect(s3.seen.slice(before)).toEqual([
      { method: 'PUT', path: `/${BUCKET}/office/scans/${accountId}/${fileId}`, status: 200 },
      { method: 'GET', path: `/${BUCKET}/office/scans/${accountId}/${fileId}`, status: 200 },
      { method: 'DELETE', path: `/${BUCKET}/office/scans/${accountId}/${fileId}`, status: 204 },
    ]);
  });

  it('reads a missing object as null, and deleting it (twice) is not an error', async () => {
    const storage = s3FileStorage(locationOf(s3Url(s3.port)));
    const key = `${accountId}/${crypto.randomUUID()}`;
    expect(await storage.get(key)).toBeNull();
    await storage.delete(key);
    await storage.delete(key);
    expect(s3.seen.at(-3)?.status).toBe(404);
  });

  it('refuses with a clear error when the secret is wrong, without revealing it or storing anything', async () => {
    const wrongSecret = 'WRONGsecretWRONGsecretWRONGsecret0000000';
    const storage = s3FileStorage(locationOf(s3Url(s3.port, { secret: wrongSecret })));
    const key = `${accountId}/${crypto.randomUUID()}`;
    const count = s3.objects().size;

    const error = await rejectionOf(storage.put(key, crypto.randomBytes(64)));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toBe(
      'File storage (S3) refused the credentials (check the key id and secret in S3_URL) on PUT',
    );
    expect(error.details).toEqual({ storage: 's3', operation: 'PUT', status: 403, s3Code: 'SignatureDoesNotMatch' });
    expect(JSON.stringify({ message: error.message, details: error.details, stack: error.stack })).not.toContain(
      wrongSecret,
    );
    expect(s3.objects().size).toBe(count);
    // A read with the wrong secret is refused too, not mistaken for a missing object.
    expect((await rejectionOf(storage.get(key))).details).toMatchObject({ s3Code: 'SignatureDoesNotMatch' });
  });

  it('names a missing bucket instead of reading it as an empty one', async () => {
    const storage = s3FileStorage(locationOf(s3Url(s3.port, { bucket: 'no-such-bucket' })));
    const error = await rejectionOf(storage.get(`${accountId}/${crypto.randomUUID()}`));
    expect(error.message).toBe('File storage (S3) has no such bucket (check the bucket in S3_URL) on GET');
    expect(error.details).toMatchObject({ status: 404, s3Code: 'NoSuchBucket' });
  });

  it('gives up on a service that does not answer, and on one that cannot be reached', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const hanging = s3FileStorage(locationOf(s3Url(port)), { timeoutMs: 300 });
      const error = await rejectionOf(hanging.put(`${accountId}/${crypto.randomUUID()}`, Buffer.from('x')));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toBe('File storage (S3) did not answer within 0.3 s on PUT');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    const closed = s3FileStorage(locationOf(s3Url(port)));
    const error = await rejectionOf(closed.get(`${accountId}/${crypto.randomUUID()}`));
    expect(error.message).toBe('File storage (S3) could not be reached on GET');
  });

  it('refuses a key that is not <accountId>/<fileId>, before any request', async () => {
    const storage = s3FileStorage(locationOf(s3Url(s3.port)));
    const before = s3.seen.length;
    await expect(storage.put('../escape', Buffer.from('x'))).rejects.toThrow('Invalid storage key');
    expect(s3.seen.length).toBe(before);
  });
});

describe('post scans with S3_URL set', () => {
  let s3: FakeS3;
  let server: TestServer;

  beforeAll(async () => {
    s3 = await startFakeS3();
    server = await startTestServer({ cookieSecure: false, env: { S3_URL: s3Url(s3.port, { folder: 'custodian' }) } });
  });
  afterAll(async () => {
    await server?.close();
    await s3?.close();
  });

  it('AS-4: an uploaded scan lands in the bucket as ciphertext only, reads back decrypted, and delete-all removes it', async () => {
    const accountId = server.seed.accountId;
    const who = server.seed.users.find((u) => u.role === 'mailroom');
    const mailroom = await signIn(server.app, { email: who?.email ?? '', password: who?.password ?? '' });
    const scan = tinyPdf(MARKER);
    const body = await multipartBody(
      { sender: `${MARKER} Sender`, itemType: 'letter', idempotencyKey: crypto.randomUUID() },
      { bytes: scan, name: 'scan.pdf', type: 'application/pdf' },
    );
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/accounts/${accountId}/post`,
      headers: { ...as(mailroom), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    const { postItemId, fileId } = res.json();

    const objects = s3.objects();
    expect([...objects.keys()]).toEqual([`custodian/${accountId}/${fileId}`]);
    const stored = objects.get(`custodian/${accountId}/${fileId}`) ?? Buffer.alloc(0);
    expect(stored.length).toBeGreaterThan(scan.length);
    expect(stored.includes(Buffer.from(MARKER))).toBe(false);
    expect(stored.includes(Buffer.from('%PDF'))).toBe(false);
    // Nothing went to the local folder instead.
    expect(fs.existsSync(path.join(server.kernel.dataDir, 'files'))).toBe(false);

    const file = await server.app.inject({
      method: 'GET',
      url: `/api/accounts/${accountId}/post/${postItemId}/files/${fileId}`,
      headers: as(mailroom),
    });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(scan)).toBe(true);

    const owner = await signIn(server.app, server.seed.owner);
    const deleted = await server.app.inject({
      method: 'POST',
      url: '/api/portal/delete-all',
      headers: as(owner),
      payload: { confirmation: 'DELETE ALL DATA' },
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json().counts.files).toBe(1);
    expect(s3.objects().size).toBe(0);
    expect(s3.seen.at(-1)).toEqual({
      method: 'DELETE',
      path: `/${BUCKET}/custodian/${accountId}/${fileId}`,
      status: 204,
    });
  });
});
