/**
 * @module argon2id with OWASP's first configuration (m = 19 MiB, t = 2, p = 1), set explicitly.
 */
import { hash, verify } from '@node-rs/argon2';

const PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, PARAMS);

export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password);

/** Verified against when no user matches, so an unknown e-mail costs the same time as a wrong password. */
let dummyHash: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string) => {
  dummyHash ??= hashPassword('custodian-timing-equaliser');
  await verify(await dummyHash, password);
};

export const MIN_PASSWORD_LENGTH = 12;
