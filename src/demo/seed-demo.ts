/**
 * @module The demo tenant: a fictional answering service with two client businesses, staff, client users and a
 * few contact notes. Every name, address and number is invented (the `.test` domain cannot receive mail).
 */
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { createUser, randomPassword } from '../auth/auth.ts';
import { PROVIDER_ACCOUNT_ID, type Role } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { takeMessage } from '../messages/take-message.ts';
import { recordContactNote } from '../notes/contact-notes.ts';
import { logPostItem } from '../post/log-post-item.ts';

export const DEMO_PROVIDER_NAME = 'Northgate Answering (demo)';

type DemoUser = { name: string; email: string; role: Role; client?: number };

const CLIENTS = ['Harbour Lane Dental', 'Ferncroft Architects'] as const;

const USERS: readonly DemoUser[] = [
  { name: 'Avery Quinn', email: 'admin@northgate.test', role: 'admin' },
  { name: 'Rosa Delgado', email: 'reception@northgate.test', role: 'receptionist' },
  { name: 'Milo Hart', email: 'mailroom@northgate.test', role: 'mailroom' },
  { name: 'Priya Okafor', email: 'privacy@northgate.test', role: 'privacy_officer' },
  { name: 'Dana Whitlow', email: 'owner@harbourlane.test', role: 'owner', client: 0 },
  { name: 'Sam Ellery', email: 'colleague@harbourlane.test', role: 'colleague', client: 0 },
  { name: 'Jules Marren', email: 'owner@ferncroft.test', role: 'owner', client: 1 },
];

const NOTES = [
  {
    client: 0,
    person: { name: 'Tobias Wren', email: 'tobias.wren@example.test', phone: '020 7946 0018' },
    body: 'Asked to move his check-up to next week; prefers mornings.',
  },
  {
    client: 0,
    person: { name: 'Ines Calder', phone: '07700 900461' },
    body: 'Called about an invoice; please ring back before 5pm.',
  },
  {
    client: 1,
    person: { name: 'Oskar Lindqvist', email: 'oskar@example.test' },
    body: 'Wants a site visit for the loft conversion quote.',
  },
];

const MESSAGES = [
  {
    client: 0,
    callerName: 'Tobias Wren',
    phone: '020 7946 0018',
    reason: 'Appointment',
    message: 'Running late for his 3pm check-up, about 15 minutes.',
    urgency: 'normal',
    hoursAgo: 2,
  },
  {
    client: 0,
    callerName: 'Greta Holm',
    company: 'Holm & Vale Lettings',
    email: 'greta@example.test',
    reason: 'Invoice query',
    message: 'Please call back about the November invoice before Friday.',
    urgency: 'urgent',
    hoursAgo: 5,
  },
  {
    client: 1,
    callerName: 'Oskar Lindqvist',
    email: 'oskar@example.test',
    reason: 'Site visit',
    message: 'Can do Tuesday morning for the loft survey.',
    urgency: 'normal',
    hoursAgo: 26,
  },
] as const;

const POST = [
  { client: 0, sender: 'Dental Supplies Direct', itemType: 'parcel', trackingNumber: 'DSD-4471-XK', hoursAgo: 3 },
  { client: 0, sender: 'County Court Business Centre', itemType: 'legal', hoursAgo: 30 },
  { client: 1, sender: 'Planning Department', itemType: 'letter', hoursAgo: 8 },
] as const;

export type DemoCredentials = {
  created: boolean;
  accounts: { id: string; name: string }[];
  users: { email: string; role: Role; account: string; password: string }[];
};

/** Creates the demo tenant, or if it exists already, leaves it and reports that. */
export const seedDemo = async (
  kernel: Kernel,
  options: { password?: string; officeSamples?: boolean } = {},
): Promise<DemoCredentials> => {
  await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
  const existing = await kernel.db.system((trx) =>
    trx.selectFrom('accounts').select(['id', 'name']).where('kind', '=', 'client').execute(),
  );
  if (existing.some((a) => (CLIENTS as readonly string[]).includes(a.name))) {
    return { created: false, accounts: existing, users: [] };
  }
  const accounts: { id: string; name: string }[] = [];
  for (const name of CLIENTS) accounts.push({ id: await createClientAccount(kernel, { name }), name });
  const users: DemoCredentials['users'] = [];
  for (const user of USERS) {
    const account =
      user.client === undefined ? { id: PROVIDER_ACCOUNT_ID, name: DEMO_PROVIDER_NAME } : accounts[user.client];
    if (!account) continue;
    const password = options.password ?? randomPassword();
    await createUser(kernel, { accountId: account.id, role: user.role, name: user.name, email: user.email, password });
    users.push({ email: user.email, role: user.role, account: account.name, password });
  }
  const receptionist = await kernel.db.system((trx) =>
    trx.selectFrom('users').select(['id', 'role']).where('role', '=', 'receptionist').executeTakeFirstOrThrow(),
  );
  for (const note of NOTES) {
    const account = accounts[note.client];
    if (!account) continue;
    await recordContactNote(kernel, {
      accountId: account.id,
      actor: { id: receptionist.id, role: receptionist.role },
      person: note.person,
      body: note.body,
    });
  }
  if (options.officeSamples) await seedOffice(kernel, accounts);

  return { created: true, accounts, users };
};

/** Sample phone messages and post, so a first look at the demo shows a working inbox. */
const seedOffice = async (kernel: Kernel, accounts: { id: string }[]) => {
  const staff = await kernel.db.system((trx) =>
    trx.selectFrom('users').select(['id', 'role']).where('role', 'in', ['receptionist', 'mailroom']).execute(),
  );
  const as = (role: string) => {
    const user = staff.find((u) => u.role === role);
    if (!user) throw new Error(`demo ${role} missing`);

    return { id: user.id, role: user.role };
  };
  const ago = (hours: number) => new Date(kernel.clock.now().getTime() - hours * 3_600_000);
  for (const [i, m] of MESSAGES.entries()) {
    const account = accounts[m.client];
    if (!account) continue;
    const { client, hoursAgo, ...fields } = m;
    await takeMessage(kernel, {
      ...fields,
      accountId: account.id,
      actor: as('receptionist'),
      callbackRequested: true,
      callAt: ago(hoursAgo),
      idempotencyKey: `demo-message-${i}`,
    });
  }
  for (const [i, p] of POST.entries()) {
    const account = accounts[p.client];
    if (!account) continue;
    const { client, hoursAgo, ...fields } = p;
    await logPostItem(kernel, {
      ...fields,
      accountId: account.id,
      actor: as('mailroom'),
      receivedAt: ago(hoursAgo),
      idempotencyKey: `demo-post-${i}`,
    });
  }
};
