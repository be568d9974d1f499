/**
 * @module The key-encryption key (which wraps every subject's data key) and the blind-index key.
 * Given in config, or created once under DATA_DIR/keys with mode 0600 for the embedded default.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type Keyring = Readonly<{ kekId: string; kek: Buffer; blindIndexKey: Buffer }>;

export const keyringFromSecrets = (kek: Buffer, blindIndexKey: Buffer): Keyring =>
  Object.freeze({ kekId: crypto.createHash('sha256').update(kek).digest('hex').slice(0, 12), kek, blindIndexKey });

export const loadKeyring = (options: {
  dataDir: string;
  masterKey: string | undefined;
  blindIndexKey: string | undefined;
}): Keyring => {
  if (options.masterKey && options.blindIndexKey) {
    return keyringFromSecrets(Buffer.from(options.masterKey, 'base64'), Buffer.from(options.blindIndexKey, 'base64'));
  }
  const file = path.join(options.dataDir, 'keys', 'keyring.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fresh = {
      kek: crypto.randomBytes(32).toString('base64'),
      blindIndexKey: crypto.randomBytes(32).toString('base64'),
    };
    fs.writeFileSync(file, JSON.stringify(fresh), { mode: 0o600, flag: 'wx' });
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { kek: string; blindIndexKey: string };

  return keyringFromSecrets(
    Buffer.from(options.masterKey ?? stored.kek, 'base64'),
    Buffer.from(options.blindIndexKey ?? stored.blindIndexKey, 'base64'),
  );
};

/** A keyring for tests and benchmarks: random, never written anywhere. */
export const ephemeralKeyring = (): Keyring => keyringFromSecrets(crypto.randomBytes(32), crypto.randomBytes(32));
