/**
 * Sealed phone messages and post items written straight through the vault, as staff intake would write them,
 * so the portal, export and delete-all can be tested on their own.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createClientAccount } from '../../src/accounts/accounts.ts';
import { createUser } from '../../src/auth/auth.ts';
import { storeFile } from '../../src/files/files.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { searchTerms } from '../../src/kernel/search-terms.ts';
import { createSubject } from '../../src/subjects/subjects.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'config'>;

const STAFF = { id: '00000000-0000-4000-8000-0000000000aa', role: 'receptionist' };

export type SeedMessage = {
  accountId: string;
  caller: { name: string; phone?: string; email?: string };
  company?: string;
  reason?: string;
  body: string;
  urgency?: 'normal' | 'urgent';
  callAt?: Date;
  callbackRequested?: boolean;
};

export const seedMessage = (deps: Deps, input: SeedMessage) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const subjectId = await createSubject(deps, trx, {
      accountId: input.accountId,
      kind: 'caller',
      name: input.caller.name,
      phone: input.caller.phone,
      email: input.caller.email,
      source: 'phone call',
      actor: STAFF,
      purpose: 'service_delivery',
    });
    const id = crypto.randomUUID();
    const now = deps.clock.now();
    await trx
      .insertInto('phone_messages')
      .values({
        id,
        account_id: input.accountId,
        caller_subject_id: subjectId,
        company: await deps.vault.sealNullable(trx, subjectId, 'phone_messages.company', input.company),
        reason: await deps.vault.sealNullable(trx, subjectId, 'phone_messages.reason', input.reason),
        body: await deps.vault.seal(trx, subjectId, 'phone_messages.body', input.body),
        urgency: input.urgency ?? 'normal',
        callback_requested: input.callbackRequested ?? false,
        call_at: input.callAt ?? now,
        taken_by: STAFF.id,
        idempotency_key: null,
        created_at: now,
      })
      .execute();
    const terms = searchTerms(deps.vault, input.accountId, [
      input.caller.name,
      input.company,
      input.reason,
      input.body,
    ]);
    if (terms.length > 0) {
      await trx
        .insertInto('item_search_terms')
        .values(
          terms.map((term) => ({ account_id: input.accountId, item_kind: 'message' as const, item_id: id, term })),
        )
        .execute();
    }

    return { id, subjectId };
  });

export type SeedPost = {
  accountId: string;
  sender: string;
  itemType?: 'letter' | 'parcel' | 'recorded' | 'legal';
  trackingNumber?: string;
  receivedAt?: Date;
  scan?: { bytes: Buffer; mediaType: 'image/png' | 'image/jpeg' | 'application/pdf' };
};

export const seedPostItem = async (deps: Deps, input: SeedPost) => {
  const id = crypto.randomUUID();
  let fileId: string | null = null;
  await deps.db.tenant(input.accountId, async (trx) => {
    await deps.vault.createKey(trx, input.accountId, id, deps.clock);
    const now = deps.clock.now();
    await trx
      .insertInto('post_items')
      .values({
        id,
        account_id: input.accountId,
        sender_subject_id: null,
        sender: await deps.vault.seal(trx, id, 'post_items.sender', input.sender),
        item_type: input.itemType ?? 'letter',
        tracking_number: await deps.vault.sealNullable(trx, id, 'post_items.tracking_number', input.trackingNumber),
        received_at: input.receivedAt ?? now,
        status: 'received',
        logged_by: STAFF.id,
        idempotency_key: null,
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('post_events')
      .values({ account_id: input.accountId, post_item_id: id, status: 'received', at: now, by_user: STAFF.id })
      .execute();
    const terms = searchTerms(deps.vault, input.accountId, [
      input.sender,
      input.trackingNumber,
      input.itemType ?? 'letter',
    ]);
    if (terms.length > 0) {
      await trx
        .insertInto('item_search_terms')
        .values(terms.map((term) => ({ account_id: input.accountId, item_kind: 'post' as const, item_id: id, term })))
        .execute();
    }
    if (input.scan) {
      ({ fileId } = await storeFile(deps, trx, {
        accountId: input.accountId,
        ownerKind: 'post_item',
        ownerId: id,
        keyId: id,
        bytes: input.scan.bytes,
        mediaType: input.scan.mediaType,
      }));
    }
  });

  return { id, fileId };
};

/** A 1×1 PNG with a marker in a tEXt-like trailer, so a plaintext scan on disk would be found by a grep. */
export const pngWithMarker = (marker: string) =>
  Buffer.concat([
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    ),
    Buffer.from(marker),
  ]);

export const OFFICE_PASSWORD = 'correct horse battery staple';

/** A client account with an owner and one colleague (no access yet), each able to sign in. */
export const createOfficeAccount = async (deps: Kernel, name: string) => {
  const accountId = await createClientAccount(deps, { name });
  const slug = name.toLowerCase().replace(/[^a-z]+/g, '-');
  const owner = { email: `owner@${slug}.test`, password: OFFICE_PASSWORD };
  const colleague = { email: `colleague@${slug}.test`, password: OFFICE_PASSWORD };
  const ownerUser = await createUser(deps, { accountId, role: 'owner', name: `Olive Owner`, ...owner });
  const colleagueUser = await createUser(deps, { accountId, role: 'colleague', name: `Colin Colleague`, ...colleague });

  return { accountId, owner: { ...owner, ...ownerUser }, colleague: { ...colleague, ...colleagueUser } };
};

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

/**
 * A scan-like PNG (a parcel label: paper, a border, lines of "text", a barcode) with the marker after the image
 * data, so a plaintext copy on disk would be found by a grep. Drawn here so tests need no image files.
 */
const LINE_WIDTHS = [360, 300, 420, 240, 330, 280];

export const scanPng = (marker: string, width = 640, height = 420) => {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      let v = 250 - ((x * 7 + y * 3) % 5);
      const border = x < 24 || x >= width - 24 || y < 24 || y >= height - 24;
      const frame =
        (x >= 24 && x < 28) ||
        (x >= width - 28 && x < width - 24) ||
        (y >= 24 && y < 28) ||
        (y >= height - 28 && y < height - 24);
      if (border) v = 214;
      if (frame) v = 90;
      const line = Math.floor((y - 60) / 34);
      const inLine = y >= 60 && y < 240 && (y - 60) % 34 < 12 && x >= 60 && x < 60 + (LINE_WIDTHS[line % 6] ?? 300);
      if (inLine) v = 70;
      const barcode = y >= 290 && y < 370 && x >= 60 && x < 420 && ((x * 31) % 17) % 3 === 0;
      if (barcode) v = 30;
      row[1 + x * 3] = v;
      row[2 + x * 3] = v;
      row[3 + x * 3] = Math.min(255, v + 2);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
    Buffer.from(marker),
  ]);
};
