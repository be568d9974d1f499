/**
 * A real HTTP server in the test process standing in for an SMS gateway's webhook (node:http on 127.0.0.1:0): it
 * records each request and answers with whatever status the test sets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedSms = { authorization: string | undefined; contentType: string | undefined; json: unknown };

export const startSmsWebhook = async () => {
  const received: ReceivedSms[] = [];
  const state = { status: 202, hang: false };
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      for (const wake of waiting.splice(0)) wake();
      if (state.hang) return;
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: state.status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    received,
    url: `http://127.0.0.1:${port}/sms`,
    /** The status the next requests get (202 until changed). */
    answer: (status: number) => {
      state.status = status;
    },
    /** Accept requests but never answer them, to test the sender's timeout. */
    hang: (on: boolean) => {
      state.hang = on;
    },
    /** Resolves once `count` requests have arrived in all. */
    receivedCount: (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (received.length >= count ? resolve() : waiting.push(check));
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
