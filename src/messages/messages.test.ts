import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { rowCounts } from '../../test/support/row-counts.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createMailer } from '../kernel/mail/mailer.ts';

type Received = { to: string[]; raw: string };

const startSmtp = async () => {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    received,
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const key = () => crypto.randomUUID();

describe('phone messages (staff side)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;
  let reception: Session;
  let base: string;
  let accountId: string;

  /**
   * Deliveries run after the answer; counting before they finish would see their audit events arrive later. The
   * `message.deliver` event is written after the last notification is settled, so wait for it too.
   */
  const deliveriesSettled = async () => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const unsettled = await server.kernel.db.system((trx) =>
        trx
          .selectFrom('notifications')
          .select('id')
          .where((eb) =>
            eb.or([
              eb('status', '=', 'queued'),
              eb.and([
                eb('item_kind', '=', 'message'),
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('audit_events')
                      .select('seq')
                      .where('action', '=', 'message.deliver')
                      .where('entity_id', '=', eb.cast<string>(eb.ref('notifications.item_id'), 'text')),
                  ),
                ),
              ]),
            ]),
          )
          .execute(),
      );
      if (unsettled.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('notifications still queued after 5 s');
  };

  const counts = async () => {
    await deliveriesSettled();

    return countRows();
  };

  const countRows = async () => {
    const n = await rowCounts(server.kernel.db, ['phone_messages', 'subjects', 'item_search_terms', 'audit_events']);

    return { messages: n.phone_messages, subjects: n.subjects, terms: n.item_search_terms, audit: n.audit_events };
  };

  const take = (payload: Record<string, unknown>, account = accountId) =>
    server.app.inject({ method: 'POST', url: `/api/accounts/${account}/messages`, headers: as(reception), payload });

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer({
      cookieSecure: false,
      mailer: createMailer({ smtpUrl: smtp.url, from: 'Desk <desk@custodian.test>', dataDir: os.tmpdir() }),
    });
    accountId = server.seed.accountId;
    base = `/api/accounts/${accountId}`;
    reception = await signIn(server.app, server.seed.receptionist);
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  it('takes a message and links a later call from the same number to the same caller, showing earlier messages', async () => {
    const first = await take({
      callerName: 'Wren Calloway',
      company: 'Calloway Joinery',
      phone: '+44 20 7946 0311',
      reason: 'Quote',
      message: 'Wants the joinery quote revised',
      urgency: 'normal',
      callbackRequested: true,
      idempotencyKey: key(),
    });
    expect(first.statusCode).toBe(201);
    const a = first.json();
    // A normal message still reaches the owner, whose default is an e-mail per item.
    expect(a).toMatchObject({ linkedExisting: false, replayed: false, notifications: 1 });

    const second = await take({
      callerName: 'W. Calloway',
      phone: '020 7946 0311',
      message: 'Second call',
      urgency: 'normal',
      idempotencyKey: key(),
    });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ linkedExisting: true, callerSubjectId: a.callerSubjectId });

    const lookup = await server.app.inject({
      method: 'GET',
      url: `${base}/callers?phone=${encodeURIComponent('+442079460311')}`,
      headers: as(reception),
    });
    expect(lookup.statusCode).toBe(200);
    const found = lookup.json();
    expect(found.caller).toMatchObject({ subjectId: a.callerSubjectId, name: 'Wren Calloway' });
    expect(found.messages.map((m: { body: string }) => m.body).sort()).toEqual([
      'Second call',
      'Wants the joinery quote revised',
    ]);
    expect(found.messages.find((m: { company: string | null }) => m.company)?.company).toBe('Calloway Joinery');

    const audit = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('account_id', '=', accountId)
        .where('action', '=', 'message.read')
        .execute(),
    );
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain('joinery');

    const unknown = await server.app.inject({
      method: 'GET',
      url: `${base}/callers?email=nobody@example.test`,
      headers: as(reception),
    });
    expect(unknown.json()).toEqual({ caller: null, messages: [] });
  });

  it('refuses a message with no way to reach the caller (400), writing nothing', async () => {
    const before = await counts();
    const res = await take({ callerName: 'No Contact', message: 'Call me', urgency: 'urgent', idempotencyKey: key() });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    const blank = await take({
      callerName: 'No Contact',
      phone: '',
      email: ' ',
      message: 'Call me',
      urgency: 'normal',
      idempotencyKey: key(),
    });
    expect(blank.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for an unknown client, writing nothing', async () => {
    const before = await counts();
    const res = await take(
      { callerName: 'Lost', phone: '020 7946 0999', message: 'Hello', urgency: 'normal', idempotencyKey: key() },
      crypto.randomUUID(),
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });

  it("answers 404 for the provider's own account: messages are taken for client businesses only", async () => {
    const before = await counts();
    const res = await take(
      { callerName: 'Misrouted', phone: '020 7946 0998', message: 'Hello', urgency: 'normal', idempotencyKey: key() },
      PROVIDER_ACCOUNT_ID,
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });

  it('records a form submitted twice once, and answers the same result', async () => {
    const idempotencyKey = key();
    const payload = {
      callerName: 'Twice Sent',
      email: 'twice@example.test',
      message: 'Double click',
      urgency: 'normal',
      idempotencyKey,
    };
    const before = await counts();
    const first = await take(payload);
    const again = await take(payload);
    const [raceA, raceB] = await Promise.all([take(payload), take(payload)]);
    expect(first.statusCode).toBe(201);
    for (const res of [again, raceA, raceB]) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ messageId: first.json().messageId, replayed: true });
    }
    const after = await counts();
    expect(after.messages).toBe(before.messages + 1);
    expect(after.subjects).toBe(before.subjects + 1);
  });

  it('e-mails an urgent message at once to the owner and colleagues with messages access, and records delivery', async () => {
    const colleague = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('users')
        .select('id')
        .where('account_id', '=', accountId)
        .where('role', '=', 'colleague')
        .executeTakeFirstOrThrow(),
    );
    await server.kernel.db.tenant(accountId, (trx) =>
      trx
        .insertInto('colleague_access')
        .values({
          account_id: accountId,
          user_id: colleague.id,
          messages: 'view',
          post: 'none',
          updated_at: new Date(),
        })
        .onConflict((oc) => oc.columns(['account_id', 'user_id']).doUpdateSet({ messages: 'view' }))
        .execute(),
    );
    const res = await take({
      callerName: 'Urgent Ursula',
      phone: '07700 900123',
      message: 'URGENT-BODY-7731 the boiler is leaking',
      urgency: 'urgent',
      callbackRequested: true,
      idempotencyKey: key(),
    });
    expect(res.statusCode).toBe(201);
    const { messageId, notifications } = res.json();
    expect(notifications).toBe(2);

    let deliveries: { status: string; recipient: string; role: string }[] = [];
    for (let i = 0; i < 200; i += 1) {
      const d = await server.app.inject({
        method: 'GET',
        url: `${base}/messages/${messageId}/deliveries`,
        headers: as(reception),
      });
      deliveries = d.json().deliveries;
      if (deliveries.every((x) => x.status !== 'queued')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(deliveries.map((d) => [d.role, d.status]).sort()).toEqual([
      ['colleague', 'sent'],
      ['owner', 'sent'],
    ]);
    const mails = smtp.received.filter((m) => m.raw.includes('URGENT-BODY-7731'));
    expect(mails.flatMap((m) => m.to).sort()).toEqual(['colleague@harbourlane.test', 'owner@harbourlane.test']);
    expect(mails[0]?.raw).toMatch(/X-Custodian-Class: service/i);
    expect(mails[0]?.raw).toContain('07700 900123');

    const events = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['details'])
        .where('action', '=', 'message.deliver')
        .where('entity_id', '=', messageId)
        .execute(),
    );
    expect(events[0]?.details).toMatchObject({ sent: 2, failed: 0 });
  });

  it('keeps the mailroom out of message intake and the receptionist out of 404 guessing', async () => {
    const mailroom = server.seed.users.find((u) => u.role === 'mailroom');
    const session = await signIn(server.app, { email: mailroom?.email ?? '', password: mailroom?.password ?? '' });
    const res = await server.app.inject({
      method: 'POST',
      url: `${base}/messages`,
      headers: as(session),
      payload: { callerName: 'X', phone: '020 7946 0000', message: 'x', urgency: 'normal', idempotencyKey: key() },
    });
    expect(res.statusCode).toBe(403);
    const missing = await server.app.inject({
      method: 'GET',
      url: `${base}/messages/${crypto.randomUUID()}/deliveries`,
      headers: as(reception),
    });
    expect(missing.statusCode).toBe(404);
  });
});
