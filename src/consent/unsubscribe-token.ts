/**
 * @module Unforgeable one-click unsubscribe tokens (RFC 8058): the account, the person and an expiry, MACed with a
 * key derived from the blind-index key by HKDF under its own label, so the token key is never used for anything else.
 *
 * @example
 * const token = unsubscribeToken(keyring, { accountId, subjectId, now })
 * verifyUnsubscribeToken(keyring, token, now) // { accountId, subjectId } or null
 */
import crypto from 'node:crypto';
import type { Keyring } from '../kernel/crypto/keyring.ts';

const VERSION = 1;
const MAC_BYTES = 16;
/** Long enough for an old newsletter in someone's inbox to still work. */
export const TOKEN_LIFETIME_DAYS = 400;

const keys = new WeakMap<Keyring, Buffer>();

const tokenKey = (keyring: Keyring) => {
  let key = keys.get(keyring);
  if (!key) {
    key = Buffer.from(
      crypto.hkdfSync('sha256', keyring.blindIndexKey, Buffer.alloc(0), 'custodian/unsubscribe-token/v1', 32),
    );
    keys.set(keyring, key);
  }

  return key;
};

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex');

  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export const unsubscribeToken = (keyring: Keyring, input: { accountId: string; subjectId: string; now: Date }) => {
  const payload = Buffer.alloc(1 + 16 + 16 + 4);
  payload[0] = VERSION;
  uuidBytes(input.accountId).copy(payload, 1);
  uuidBytes(input.subjectId).copy(payload, 17);
  payload.writeUInt32BE(Math.floor(input.now.getTime() / 1000) + TOKEN_LIFETIME_DAYS * 86_400, 33);
  const mac = crypto.createHmac('sha256', tokenKey(keyring)).update(payload).digest().subarray(0, MAC_BYTES);

  return Buffer.concat([payload, mac]).toString('base64url');
};

export const verifyUnsubscribeToken = (
  keyring: Keyring,
  token: string,
  now: Date,
): { accountId: string; subjectId: string } | null => {
  if (!/^[A-Za-z0-9_-]{40,120}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 37 + MAC_BYTES || raw[0] !== VERSION) return null;
  const payload = raw.subarray(0, 37);
  const expected = crypto.createHmac('sha256', tokenKey(keyring)).update(payload).digest().subarray(0, MAC_BYTES);
  if (!crypto.timingSafeEqual(expected, raw.subarray(37))) return null;
  if (payload.readUInt32BE(33) * 1000 < now.getTime()) return null;

  return { accountId: bytesUuid(payload.subarray(1, 17)), subjectId: bytesUuid(payload.subarray(17, 33)) };
};
