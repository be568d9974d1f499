import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from './mailer.ts';

const FROM = 'Custodian <no-reply@custodian.test>';

type Received = { from: string; to: string[]; raw: string };

/** The header block of a raw message, unfolded, as lower-case name → value. */
const headersOf = (raw: string) => {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }

  return headers;
};

describe(createMailer.name, () => {
  describe('with SMTP_URL', () => {
    const received: Received[] = [];
    let server: SMTPServer;
    let smtpUrl: string;

    beforeAll(async () => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData: (stream, session, callback) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

    it('delivers over SMTP with subject, recipient, body and the X-Custodian-Class header', async () => {
      const sut = createMailer({ smtpUrl, from: FROM, dataDir: os.tmpdir() });
      try {
        const { messageId } = await sut.send({
          to: 'ann@example.test',
          subject: 'Your copy of your data is ready',
          text: 'Sign in to download it.',
          class: 'service',
        });

        expect(received).toHaveLength(1);
        const [mail] = received;
        const headers = headersOf(mail?.raw ?? '');
        expect(mail?.to).toEqual(['ann@example.test']);
        expect(mail?.from).toBe('no-reply@custodian.test');
        expect(headers.get('subject')).toBe('Your copy of your data is ready');
        expect(headers.get('to')).toBe('ann@example.test');
        expect(headers.get('x-custodian-class')).toBe('service');
        expect(headers.get('message-id')).toBe(messageId);
        expect(mail?.raw).toContain('Sign in to download it.');
      } finally {
        sut.close();
      }
    });

    it('keeps extra headers, and marks marketing mail as marketing', async () => {
      const sut = createMailer({ smtpUrl, from: FROM, dataDir: os.tmpdir() });
      try {
        await sut.send({
          to: 'ben@example.test',
          subject: 'New opening hours',
          text: 'We now open at 8.',
          class: 'marketing',
          headers: {
            'List-Unsubscribe': '<https://custodian.test/unsubscribe/abc>',
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });

        const headers = headersOf(received.at(-1)?.raw ?? '');
        expect(headers.get('x-custodian-class')).toBe('marketing');
        expect(headers.get('list-unsubscribe')).toBe('<https://custodian.test/unsubscribe/abc>');
      } finally {
        sut.close();
      }
    });

    it('refuses marketing mail without RFC 8058 one-click unsubscribe headers, sending nothing', async () => {
      const sut = createMailer({ smtpUrl, from: FROM, dataDir: os.tmpdir() });
      const before = received.length;
      try {
        const variants: (Record<string, string> | undefined)[] = [
          undefined,
          { 'List-Unsubscribe': '<https://custodian.test/u/abc>' },
          {
            'List-Unsubscribe': '<http://custodian.test/u/abc>',
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        ];
        for (const headers of variants) {
          await expect(
            sut.send({ to: 'ben@example.test', subject: 'Offer', text: 'Buy', class: 'marketing', headers }),
          ).rejects.toThrow(/List-Unsubscribe/);
        }
        expect(received.length).toBe(before);
      } finally {
        sut.close();
      }
    });
  });

  describe('without SMTP_URL', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-outbox-'));
    });
    afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    it('writes each message as an .eml file under DATA_DIR/outbox, readable only by its owner', async () => {
      const sut = createMailer({ smtpUrl: undefined, from: FROM, dataDir });
      await sut.send({
        to: 'ann@example.test',
        subject: 'Sign-in code',
        text: 'Your code is in the app.',
        class: 'service',
      });
      await sut.send({ to: 'ben@example.test', subject: 'Second', text: 'Another.', class: 'service' });
      sut.close();

      const files = fs.readdirSync(path.join(dataDir, 'outbox')).sort();
      expect(files).toHaveLength(2);
      for (const file of files) expect(file).toMatch(/\.eml$/);
      const messages = files.map((f) => fs.readFileSync(path.join(dataDir, 'outbox', f), 'utf8'));
      const first = messages.find((m) => headersOf(m).get('to') === 'ann@example.test') ?? '';
      expect(headersOf(first).get('subject')).toBe('Sign-in code');
      expect(headersOf(first).get('x-custodian-class')).toBe('service');
      expect(headersOf(first).get('from')).toBe(FROM);
      expect(first).toContain('Your code is in the app.');
      if (process.platform !== 'win32') {
        expect(fs.statSync(path.join(dataDir, 'outbox', files[0] ?? '')).mode & 0o777).toBe(0o600);
      }
    });
  });
});
