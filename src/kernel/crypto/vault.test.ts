import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../test/support/kernel.ts';
import { createClientAccount } from '../../accounts/accounts.ts';
import { ephemeralKeyring } from './keyring.ts';
import { createVault, KEY_CACHE_MS } from './vault.ts';

describe(createVault.name, () => {
  let kernel: TestKernel;
  let accountId: string;
  let otherAccountId: string;

  beforeAll(async () => {
    kernel = await createTestKernel();
    accountId = await createClientAccount(kernel, { name: 'Vault Test Ltd' });
    otherAccountId = await createClientAccount(kernel, { name: 'Other Vault Test Ltd' });
  });
  afterAll(async () => kernel.close());

  /** A subject id with a stored data key, sealed through the kernel's vault. */
  const newKey = async () => {
    const subjectId = crypto.randomUUID();
    await kernel.db.tenant(accountId, (trx) => kernel.vault.createKey(trx, accountId, subjectId, kernel.clock));

    return subjectId;
  };

  it('round-trips a value, and a vault with an empty cache reads the wrapped key back from the database', async () => {
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'contact_notes.body', 'Ring back after 3'),
    );
    const coldVault = createVault({ keyring: kernel.keyring });

    expect(await kernel.db.tenant(accountId, (trx) => kernel.vault.open(trx, blob, 'contact_notes.body'))).toBe(
      'Ring back after 3',
    );
    expect(await kernel.db.tenant(accountId, (trx) => coldVault.open(trx, blob, 'contact_notes.body'))).toBe(
      'Ring back after 3',
    );
  });

  it('opens many values under several keys after one read of the keys a cold vault lacks', async () => {
    const [a, b, erased] = [await newKey(), await newKey(), await newKey()];
    const blobs = await kernel.db.tenant(accountId, async (trx) => [
      await kernel.vault.seal(trx, a, 'contact_notes.body', 'First'),
      await kernel.vault.seal(trx, b, 'contact_notes.body', 'Second'),
      await kernel.vault.seal(trx, a, 'subjects.name', 'Ann'),
      await kernel.vault.seal(trx, erased, 'contact_notes.body', 'Gone'),
    ]);
    await kernel.db.tenant(accountId, (trx) => kernel.vault.destroyKey(trx, erased));
    const coldVault = createVault({ keyring: kernel.keyring });

    const opened = await kernel.db.tenant(accountId, async (trx) => {
      const open = await coldVault.openerFor(trx, [...blobs, null]);

      return [
        open(blobs[0] as Buffer, 'contact_notes.body'),
        open(blobs[1] as Buffer, 'contact_notes.body'),
        open(blobs[2] as Buffer, 'subjects.name'),
        open(blobs[3] as Buffer, 'contact_notes.body'),
        open(null, 'contact_notes.body'),
      ];
    });
    expect(opened).toEqual(['First', 'Second', 'Ann', null, null]);
    // A key of another account is not readable under this one's row-level security: its values open as erased.
    const foreign = crypto.randomUUID();
    await kernel.db.tenant(otherAccountId, (trx) => kernel.vault.createKey(trx, otherAccountId, foreign, kernel.clock));
    const foreignBlob = await kernel.db.tenant(otherAccountId, (trx) =>
      kernel.vault.seal(trx, foreign, 'contact_notes.body', 'Theirs'),
    );
    const stranger = createVault({ keyring: kernel.keyring });
    expect(
      await kernel.db.tenant(accountId, async (trx) =>
        (await stranger.openerFor(trx, [foreignBlob]))(foreignBlob, 'contact_notes.body'),
      ),
    ).toBeNull();
  });

  it('refuses to open, through an opener, a value whose key was not passed up front', async () => {
    const [a, b] = [await newKey(), await newKey()];
    const [blobA, blobB] = await kernel.db.tenant(accountId, async (trx) => [
      await kernel.vault.seal(trx, a, 'contact_notes.body', 'A'),
      await kernel.vault.seal(trx, b, 'contact_notes.body', 'B'),
    ]);
    const open = await kernel.db.tenant(accountId, (trx) => kernel.vault.openerFor(trx, [blobA as Buffer]));
    expect(open(blobA as Buffer, 'contact_notes.body')).toBe('A');
    expect(() => open(blobB as Buffer, 'contact_notes.body')).toThrow(/not passed up front/);
  });

  it('stores data keys only wrapped, under the current master key id', async () => {
    const subjectId = await newKey();
    const row = await kernel.db.tenant(accountId, (trx) =>
      trx.selectFrom('subject_keys').selectAll().where('subject_id', '=', subjectId).executeTakeFirstOrThrow(),
    );

    expect(row).toMatchObject({ account_id: accountId, kek_id: kernel.keyring.kekId });
    expect(row.wrapped.length).toBe(12 + 16 + 32);
  });

  it('refuses a ciphertext opened as another field', async () => {
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'subjects.email', 'ann@example.test'),
    );

    await expect(kernel.db.tenant(accountId, (trx) => kernel.vault.open(trx, blob, 'subjects.name'))).rejects.toThrow();
  });

  it('detects a tampered ciphertext', async () => {
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'subjects.name', 'Ann Example'),
    );
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;

    await expect(
      kernel.db.tenant(accountId, (trx) => kernel.vault.open(trx, tampered, 'subjects.name')),
    ).rejects.toThrow();
  });

  it('cannot reach another account’s data key through a tenant transaction', async () => {
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'subjects.name', 'Ann Example'),
    );
    const coldVault = createVault({ keyring: kernel.keyring });

    expect(await kernel.db.tenant(otherAccountId, (trx) => coldVault.open(trx, blob, 'subjects.name'))).toBeNull();
  });

  it('refuses a data key wrapped under another master key', async () => {
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'subjects.name', 'Ann Example'),
    );
    const foreignVault = createVault({ keyring: ephemeralKeyring() });

    await expect(kernel.db.tenant(accountId, (trx) => foreignVault.open(trx, blob, 'subjects.name'))).rejects.toThrow(
      'unknown master key',
    );
  });

  it('destroyKey makes open return null for every value sealed before, in this vault and in a fresh one', async () => {
    const subjectId = await newKey();
    const [name, body] = await kernel.db.tenant(accountId, async (trx) => [
      await kernel.vault.seal(trx, subjectId, 'subjects.name', 'Ann Example'),
      await kernel.vault.seal(trx, subjectId, 'contact_notes.body', 'Asked about parking'),
    ]);

    await kernel.db.tenant(accountId, (trx) => kernel.vault.destroyKey(trx, subjectId));

    const coldVault = createVault({ keyring: kernel.keyring });
    await kernel.db.tenant(accountId, async (trx) => {
      expect(await kernel.vault.open(trx, name as Buffer, 'subjects.name')).toBeNull();
      expect(await kernel.vault.open(trx, body as Buffer, 'contact_notes.body')).toBeNull();
      expect(await coldVault.open(trx, name as Buffer, 'subjects.name')).toBeNull();
      expect(
        await trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', subjectId).execute(),
      ).toEqual([]);
    });
  });

  it('stops opening, once its cached copy expires, what was sealed under a key another process destroyed', async () => {
    let now = 0;
    const here = createVault({ keyring: kernel.keyring, now: () => now });
    const elsewhere = createVault({ keyring: kernel.keyring });
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'contact_notes.body', 'Parcel for flat 2'),
    );
    const open = () =>
      kernel.db.tenant(accountId, async (trx) => [
        await here.open(trx, blob, 'contact_notes.body'),
        (await here.openerFor(trx, [blob]))(blob, 'contact_notes.body'),
      ]);
    expect(await open()).toEqual(['Parcel for flat 2', 'Parcel for flat 2']);

    await kernel.db.tenant(accountId, (trx) => elsewhere.destroyKey(trx, subjectId));
    now += KEY_CACHE_MS - 1;
    expect(await open()).toEqual(['Parcel for flat 2', 'Parcel for flat 2']);
    now += 1;
    expect(await open()).toEqual([null, null]);
  });

  it('does not cache again a key it destroyed, read by a transaction that saw it before the erasure committed', async () => {
    const vault = createVault({ keyring: kernel.keyring, now: () => 0 });
    const subjectId = await newKey();
    const blob = await kernel.db.tenant(accountId, (trx) =>
      kernel.vault.seal(trx, subjectId, 'contact_notes.body', 'Keys left at reception'),
    );
    // The erasure is still uncommitted (here: rolled back) while another transaction reads the key row.
    await expect(
      kernel.db.tenant(accountId, async (trx) => {
        await vault.destroyKey(trx, subjectId);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await kernel.db.tenant(accountId, (trx) => vault.open(trx, blob, 'contact_notes.body'))).toBe(
      'Keys left at reception',
    );
    // Had that read been cached, it would outlive the key row.
    await kernel.db.system((trx) => trx.deleteFrom('subject_keys').where('subject_id', '=', subjectId).execute());
    expect(await kernel.db.tenant(accountId, (trx) => vault.open(trx, blob, 'contact_notes.body'))).toBeNull();
  });

  it('refuses to seal anything new for a subject whose key was destroyed', async () => {
    const subjectId = await newKey();
    await kernel.db.tenant(accountId, (trx) => kernel.vault.destroyKey(trx, subjectId));

    await expect(
      kernel.db.tenant(accountId, (trx) => kernel.vault.seal(trx, subjectId, 'subjects.name', 'Ann')),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('leaves sealNullable empty values unsealed', async () => {
    const subjectId = await newKey();

    await kernel.db.tenant(accountId, async (trx) => {
      expect(await kernel.vault.sealNullable(trx, subjectId, 'subjects.phone', '')).toBeNull();
      expect(await kernel.vault.sealNullable(trx, subjectId, 'subjects.phone', null)).toBeNull();
      expect(await kernel.vault.sealNullable(trx, subjectId, 'subjects.phone', '07700 900461')).toBeInstanceOf(Buffer);
    });
  });
});
