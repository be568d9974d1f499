/**
 * @module The `FileStorage` adapter for any S3-compatible bucket (AWS S3, MinIO, Ceph, R2, Wasabi, …), used when
 * `S3_URL` is set. Like the local adapter it only ever receives ciphertext: the key stays in the database.
 *
 * `S3_URL=https://ACCESS_KEY_ID:SECRET@host[:port]/bucket[/folder…][?region=eu-west-2][&path_style=false]`
 * - the key id and secret are percent-encoded (a `/` in a secret is `%2F`, a `+` is `%2B`);
 * - `bucket` is the first path segment; anything after it is a folder prepended to every object key;
 * - `region` (default `us-east-1`) is the signing region; `path_style` (default `true`) sends
 *   `host/bucket/key`, `false` sends `bucket.host/key` (virtual-hosted);
 * - `https://` only, `http://` only to 127.0.0.1, [::1] or localhost.
 *
 * Requests are signed with AWS Signature Version 4, the payload hash included (`x-amz-content-sha256`), so the
 * service checks the bytes it stored are the bytes sent. Object key: `[folder/]<accountId>/<fileId>`. A missing object
 * reads as null and deleting one is not an error, as with the local adapter. Failures are `AppError('UNAVAILABLE')`
 * naming the operation and the service's error code, never the secret, the signature or the object's content.
 *
 * @example
 * const storage = s3FileStorage(config.s3) // config.s3 parsed from S3_URL by loadConfig
 * await storage.put(`${accountId}/${fileId}`, sealedBytes)
 */
import crypto from 'node:crypto';
import type { S3Location } from '../kernel/config.ts';
import { AppError } from '../kernel/errors.ts';
import type { FileStorage } from './file-storage.ts';

/** The same shape the local adapter accepts: `<accountId>/<fileId>`, two UUIDs. */
const SAFE_KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

const DEFAULT_TIMEOUT_MS = 30_000;

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding of one path segment, as SigV4 requires (encodeURIComponent leaves !'()* alone). */
const encodeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export type SignInput = {
  method: 'GET' | 'PUT' | 'DELETE';
  /** `host[:port]` exactly as the request will send it. */
  host: string;
  /** The unencoded object path, e.g. `/bucket/folder/key`; each segment is encoded once here. */
  path: string;
  /** Extra headers to sign (lower-case names), e.g. content-type. */
  headers?: Record<string, string>;
  payloadHash: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  date: Date;
};

/**
 * AWS Signature Version 4 for one S3 request without a query string. Returns the encoded path to request and every
 * header to send (host, x-amz-date, x-amz-content-sha256, authorization and the extras).
 */
export const signS3Request = (input: SignInput) => {
  const path = input.path.split('/').map(encodeSegment).join('/');
  const amzDate = input.date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.host,
    'x-amz-content-sha256': input.payloadHash,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const canonicalRequest = [
    input.method,
    path,
    '',
    ...names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}`),
    '',
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = ['s3', 'aws4_request'].reduce(
    (key, part) => hmac(key, part),
    hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region),
  );
  const signature = crypto.createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope},` +
    `SignedHeaders=${names.join(';')},Signature=${signature}`;

  return { path, headers };
};

/** The `<Code>` of an S3 error document (e.g. NoSuchKey, SignatureDoesNotMatch); never the rest of it. */
const errorCode = (body: string) => /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1] ?? null;

export const s3FileStorage = (
  location: S3Location,
  options: { timeoutMs?: number; now?: () => Date } = {},
): FileStorage => {
  const endpoint = new URL(location.endpoint);
  const host = location.pathStyle ? endpoint.host : `${location.bucket}.${endpoint.host}`;
  const base = `${endpoint.protocol}//${host}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());

  const objectPath = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new Error('Invalid storage key');

    return `/${[location.pathStyle ? location.bucket : '', location.prefix, key].filter(Boolean).join('/')}`;
  };

  const fail = (operation: string, reason: string, details: Record<string, unknown> = {}): never => {
    throw new AppError('UNAVAILABLE', `File storage (S3) ${reason} on ${operation}`, {
      storage: 's3',
      operation,
      ...details,
    });
  };

  const send = async (method: SignInput['method'], key: string, body?: Buffer) => {
    const signed = signS3Request({
      method,
      host,
      path: objectPath(key),
      headers: body ? { 'content-type': 'application/octet-stream' } : {},
      payloadHash: sha256Hex(body ?? ''),
      accessKeyId: location.accessKeyId,
      secretAccessKey: location.secretAccessKey,
      region: location.region,
      date: now(),
    });
    // fetch sets Host itself (from the URL, as signed); it refuses a host header given by hand.
    const { host: _host, ...headers } = signed.headers;
    try {
      const res = await fetch(`${base}${signed.path}`, {
        method,
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      const bytes = Buffer.from(await res.arrayBuffer());

      return { status: res.status, bytes };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return fail(method, `did not answer within ${timeoutMs / 1000} s`);
      }

      return fail(method, 'could not be reached');
    }
  };

  const refuse = (operation: string, res: { status: number; bytes: Buffer }): never => {
    const code = errorCode(res.bytes.toString('utf8'));
    const hint =
      code === 'SignatureDoesNotMatch' || code === 'InvalidAccessKeyId' || res.status === 403
        ? 'refused the credentials (check the key id and secret in S3_URL)'
        : code === 'NoSuchBucket'
          ? 'has no such bucket (check the bucket in S3_URL)'
          : `answered ${res.status}`;

    return fail(operation, hint, { status: res.status, s3Code: code });
  };

  return {
    put: async (key, sealed) => {
      const res = await send('PUT', key, sealed);
      if (res.status !== 200) refuse('PUT', res);
    },
    get: async (key) => {
      const res = await send('GET', key);
      if (res.status === 200) return res.bytes;
      if (res.status === 404 && errorCode(res.bytes.toString('utf8')) !== 'NoSuchBucket') return null;

      return refuse('GET', res);
    },
    delete: async (key) => {
      const res = await send('DELETE', key);
      if (res.status === 204 || res.status === 200) return;
      // S3 answers 204 for a key that is not there; some compatible services answer 404 NoSuchKey instead.
      if (res.status === 404 && errorCode(res.bytes.toString('utf8')) !== 'NoSuchBucket') return;
      refuse('DELETE', res);
    },
  };
};
