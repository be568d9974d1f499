/**
 * @module Session tokens: 32 random bytes in an HttpOnly cookie; only their SHA-256 is stored, so a leaked
 * database holds no usable session.
 */
import crypto from 'node:crypto';

export const SESSION_COOKIE = 'custodian_session';

export const newToken = () => crypto.randomBytes(32).toString('base64url');

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest();
