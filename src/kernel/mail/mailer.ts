/**
 * @module Outbound mail over SMTP (`SMTP_URL`); with no SMTP server configured, each message is written to
 * `DATA_DIR/outbox` as an .eml file so nothing is silently dropped.
 *
 * @example
 * const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:2525', from: 'Desk <desk@example.test>', dataDir })
 * await mailer.send({ to: 'ann@example.test', subject: 'Your export', text: '…', class: 'service' })
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

/** Service mail (account, security, rights, notice changes) is always sent; marketing is checked per recipient. */
export type MailClass = 'service' | 'marketing';

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  class: MailClass;
  headers?: Record<string, string>;
};

export type Mailer = {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
};

export const createMailer = (options: { smtpUrl: string | undefined; from: string; dataDir: string }): Mailer => {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);

    return {
      send: async (mail) => {
        const info = await transport.sendMail(toMessage(options.from, mail));

        return { messageId: String(info.messageId) };
      },
      close: () => transport.close(),
    };
  }
  const outbox = path.join(options.dataDir, 'outbox');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    send: async (mail) => {
      const info = await transport.sendMail(toMessage(options.from, mail));
      fs.mkdirSync(outbox, { recursive: true });
      const file = path.join(outbox, `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomUUID()}.eml`);
      await fs.promises.writeFile(file, info.message as Buffer, { mode: 0o600 });

      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
};

/** RFC 8058: a marketing message without one-click unsubscribe is a bug, never something to send. */
const assertUnsubscribable = (mail: OutgoingMail) => {
  if (mail.class !== 'marketing') return;
  const header = (name: string) =>
    Object.entries(mail.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1] ?? '';
  if (
    !/^<https:\/\/[^>]+>/.test(header('list-unsubscribe')) ||
    header('list-unsubscribe-post') !== 'List-Unsubscribe=One-Click'
  ) {
    throw new Error('A marketing e-mail must carry List-Unsubscribe (HTTPS) and List-Unsubscribe-Post headers');
  }
};

const toMessage = (from: string, mail: OutgoingMail) => {
  assertUnsubscribable(mail);

  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: { 'X-Custodian-Class': mail.class, ...mail.headers },
  };
};
