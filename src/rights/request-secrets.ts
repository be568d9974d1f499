/**
 * @module The secrets a rights request hands out: a six-digit code e-mailed to prove the address, a status-link
 * token and an access-package download token. Only keyed hashes are stored, so a copy of the database opens nothing.
 *
 * @example
 * const { code, hash } = newVerificationCode(keyring, requestId)
 * codeMatches(keyring, requestId, '123456', hash) // false
 */
import crypto from 'node:crypto';
import type { Keyring } from '../kernel/crypto/keyring.ts';

/** Minutes an e-mailed code stays valid, and the wrong guesses allowed before the request is closed. */
export const CODE_TTL_MINUTES = 30;
export const CODE_ATTEMPTS = 5;

const codeKey = (keyring: Keyring) =>
  Buffer.from(crypto.hkdfSync('sha256', keyring.blindIndexKey, Buffer.alloc(0), 'custodian/rights-code/v1', 32));

const hashCode = (keyring: Keyring, requestId: string, code: string) =>
  crypto.createHmac('sha256', codeKey(keyring)).update(`${requestId}\0${code}`).digest();

export const newVerificationCode = (keyring: Keyring, requestId: string) => {
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');

  return { code, hash: hashCode(keyring, requestId, code) };
};

export const codeMatches = (keyring: Keyring, requestId: string, code: string, stored: Buffer | null) =>
  stored !== null && crypto.timingSafeEqual(hashCode(keyring, requestId, code), stored);

export const newToken = () => {
  const token = crypto.randomBytes(32).toString('base64url');

  return { token, hash: hashToken(token) };
};

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest();
