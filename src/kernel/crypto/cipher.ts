/**
 * @module AES-256-GCM envelope encryption and keyed blind indexes.
 *
 * A sealed value is `0x01 | key id (16 bytes, the subject's uuid) | iv (12) | tag (16) | ciphertext`. The field
 * name is bound as associated data, so a ciphertext copied into another column does not decrypt.
 *
 * @example
 * const blob = sealField(dataKey, subjectId, 'subjects.email', 'ann@example.test')
 * openField(dataKey, blob, 'subjects.email') // 'ann@example.test'
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.ts';

const VERSION = 0x01;
const HEADER = 1 + 16 + 12 + 16;

export const newDataKey = (): Buffer => crypto.randomBytes(32);

export const wrapKey = (kek: Buffer, dataKey: Buffer): Buffer => {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', kek, iv);
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);

  return Buffer.concat([iv, cipher.getAuthTag(), body]);
};

export const unwrapKey = (kek: Buffer, wrapped: Buffer): Buffer => {
  const decipher = crypto.createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
  decipher.setAuthTag(wrapped.subarray(12, 28));

  return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
};

export const sealField = (dataKey: Buffer, keyId: string, field: string, plaintext: string): Buffer => {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(field));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);

  return Buffer.concat([Buffer.from([VERSION]), uuidToBytes(keyId), iv, cipher.getAuthTag(), body]);
};

/** Field names as associated data, made once each: there are a few dozen, and values are opened by the thousand. */
const fieldBytes = new Map<string, Buffer>();
const aad = (field: string) => {
  let bytes = fieldBytes.get(field);
  if (!bytes) {
    bytes = Buffer.from(field);
    if (fieldBytes.size < 1_000) fieldBytes.set(field, bytes);
  }

  return bytes;
};

export const openField = (dataKey: Buffer, blob: Buffer, field: string): string => {
  if (blob.length < HEADER || blob[0] !== VERSION) throw new AppError('INTERNAL', 'Unreadable ciphertext');
  const decipher = crypto.createDecipheriv('aes-256-gcm', dataKey, blob.subarray(17, 29));
  decipher.setAAD(aad(field));
  decipher.setAuthTag(blob.subarray(29, 45));

  return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]).toString('utf8');
};

/** Like `sealField`, for binary content (scans, photos): same envelope, same associated-data binding. */
export const sealBytes = (dataKey: Buffer, keyId: string, field: string, plaintext: Buffer): Buffer => {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(field));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);

  return Buffer.concat([Buffer.from([VERSION]), uuidToBytes(keyId), iv, cipher.getAuthTag(), body]);
};

export const openBytes = (dataKey: Buffer, blob: Buffer, field: string): Buffer => {
  if (blob.length < HEADER || blob[0] !== VERSION) throw new AppError('INTERNAL', 'Unreadable ciphertext');
  const decipher = crypto.createDecipheriv('aes-256-gcm', dataKey, blob.subarray(17, 29));
  decipher.setAAD(Buffer.from(field));
  decipher.setAuthTag(blob.subarray(29, 45));

  return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]);
};

/** The key id (a subject's uuid) a sealed value was written under. */
export const keyIdOf = (blob: Buffer): string => bytesToUuid(blob.subarray(1, 17));

export type BlindIndexKind = 'email' | 'phone' | 'name';

/**
 * HMAC of the normalised value, truncated to 16 bytes. `scope` (an account id, or 'login') keeps the same e-mail
 * in two accounts from producing linkable indexes.
 */
export const blindIndex = (key: Buffer, kind: BlindIndexKind, scope: string, value: string): Buffer =>
  crypto
    .createHmac('sha256', key)
    .update(`${kind}\0${scope}\0${normalise(kind, value)}`)
    .digest()
    .subarray(0, 16);

export const normalise = (kind: BlindIndexKind, value: string): string => {
  if (kind === 'email') return value.trim().toLowerCase();
  if (kind === 'name') return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
  // "+44 (0)20 …" writes the trunk 0 that international dialling drops.
  const digits = value.replace(/\(0\)/g, '').replace(/[^\d]/g, '');
  if (value.trim().startsWith('+')) return digits;
  if (digits.startsWith('00')) return digits.slice(2);
  // A national number written with a trunk 0 is taken as UK (+44), the home of the reference notices.
  if (digits.startsWith('0')) return `44${digits.slice(1)}`;

  return digits;
};

const uuidToBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');

const bytesToUuid = (bytes: Buffer) => {
  const h = bytes.toString('hex');

  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
