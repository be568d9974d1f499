import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex, keyIdOf, newDataKey, normalise, openField, sealField, unwrapKey, wrapKey } from './cipher.ts';

const SUBJECT = '0b7e2f4c-1d3a-4c5e-9f8a-2b4c6d8e0f1a';

describe(sealField.name, () => {
  it('round-trips a value through seal and open, and records the key id', () => {
    const key = newDataKey();
    const blob = sealField(key, SUBJECT, 'subjects.email', 'Ann.Example@example.test');

    expect(openField(key, blob, 'subjects.email')).toBe('Ann.Example@example.test');
    expect(keyIdOf(blob)).toBe(SUBJECT);
    expect(blob.includes(Buffer.from('Ann.Example'))).toBe(false);
  });

  it('round-trips non-ASCII text and the empty string', () => {
    const key = newDataKey();

    expect(
      openField(key, sealField(key, SUBJECT, 'contact_notes.body', 'Zoë — rappeler 🙂'), 'contact_notes.body'),
    ).toBe('Zoë — rappeler 🙂');
    expect(openField(key, sealField(key, SUBJECT, 'contact_notes.body', ''), 'contact_notes.body')).toBe('');
  });

  it('seals the same value differently every time (random IV)', () => {
    const key = newDataKey();

    expect(
      sealField(key, SUBJECT, 'subjects.name', 'Ann').equals(sealField(key, SUBJECT, 'subjects.name', 'Ann')),
    ).toBe(false);
  });
});

describe(openField.name, () => {
  const key = newDataKey();
  const blob = sealField(key, SUBJECT, 'subjects.email', 'ann@example.test');

  it('refuses a ciphertext opened as another field (the field name is bound as associated data)', () => {
    expect(() => openField(key, blob, 'subjects.phone')).toThrow();
    expect(() => openField(key, blob, 'contact_notes.body')).toThrow();
  });

  it.each([
    ['the IV', 20],
    ['the tag', 35],
    ['the ciphertext', blob.length - 1],
  ])('detects a flipped bit in %s', (_part, index) => {
    const tampered = Buffer.from(blob);
    tampered[index] = (tampered[index] ?? 0) ^ 0x01;

    expect(() => openField(key, tampered, 'subjects.email')).toThrow();
  });

  it('detects a truncated ciphertext and an unknown format version', () => {
    expect(() => openField(key, blob.subarray(0, blob.length - 1), 'subjects.email')).toThrow();
    expect(() => openField(key, blob.subarray(0, 20), 'subjects.email')).toThrow('Unreadable ciphertext');
    const otherVersion = Buffer.from(blob);
    otherVersion[0] = 0x02;
    expect(() => openField(key, otherVersion, 'subjects.email')).toThrow('Unreadable ciphertext');
  });

  it('refuses to open with another key', () => {
    expect(() => openField(newDataKey(), blob, 'subjects.email')).toThrow();
  });
});

describe(wrapKey.name, () => {
  it('wraps a data key so that only the same key-encryption key unwraps it', () => {
    const kek = crypto.randomBytes(32);
    const dataKey = newDataKey();
    const wrapped = wrapKey(kek, dataKey);

    expect(unwrapKey(kek, wrapped).equals(dataKey)).toBe(true);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(() => unwrapKey(crypto.randomBytes(32), wrapped)).toThrow();
  });
});

describe(blindIndex.name, () => {
  const key = crypto.randomBytes(32);
  const scope = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

  it('matches e-mail addresses regardless of case and surrounding spaces', () => {
    const expected = blindIndex(key, 'email', scope, 'ann@example.test');

    expect(blindIndex(key, 'email', scope, 'Ann@Example.TEST').equals(expected)).toBe(true);
    expect(blindIndex(key, 'email', scope, '  ann@example.test ').equals(expected)).toBe(true);
    expect(blindIndex(key, 'email', scope, 'anne@example.test').equals(expected)).toBe(false);
  });

  it('matches a UK number written internationally, nationally or with the 00 prefix', () => {
    const expected = blindIndex(key, 'phone', scope, '+44 20 7946 0999');

    for (const written of ['020 7946 0999', '0044 20 7946 0999', '+442079460999', '+44-20-7946-0999']) {
      expect(blindIndex(key, 'phone', scope, written).equals(expected), written).toBe(true);
    }
    expect(blindIndex(key, 'phone', scope, '020 7946 0998').equals(expected)).toBe(false);
  });

  it('matches names regardless of case, accents and spacing', () => {
    expect(blindIndex(key, 'name', scope, '  Zoë   ÉLAN ').equals(blindIndex(key, 'name', scope, 'zoe elan'))).toBe(
      true,
    );
  });

  it('gives the same e-mail a different index in another scope (account)', () => {
    const otherScope = '6a1d2b3c-4d5e-4f6a-9b0c-1d2e3f4a5b6c';

    expect(
      blindIndex(key, 'email', scope, 'ann@example.test').equals(
        blindIndex(key, 'email', otherScope, 'ann@example.test'),
      ),
    ).toBe(false);
    expect(
      blindIndex(key, 'email', scope, 'ann@example.test').equals(blindIndex(key, 'email', 'login', 'ann@example.test')),
    ).toBe(false);
  });

  it('keeps the kinds apart and depends on the key', () => {
    expect(blindIndex(key, 'email', scope, '4420').equals(blindIndex(key, 'phone', scope, '4420'))).toBe(false);
    expect(
      blindIndex(key, 'email', scope, 'a@b.test').equals(
        blindIndex(crypto.randomBytes(32), 'email', scope, 'a@b.test'),
      ),
    ).toBe(false);
  });
});

describe(normalise.name, () => {
  it.each([
    ['+44 20 7946 0999', '442079460999'],
    ['020 7946 0999', '442079460999'],
    ['0044 20 7946 0999', '442079460999'],
    ['+1 (555) 010-0199', '15550100199'],
  ])('normalises the phone number %j to %j', (written, digits) => {
    expect(normalise('phone', written)).toBe(digits);
  });
});
