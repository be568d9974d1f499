import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsWebhook } from '../../../test/support/sms-webhook.ts';
import { createSmsSender, SmsError } from './sms.ts';

describe('SMS webhook adapter', () => {
  let webhook: Awaited<ReturnType<typeof startSmsWebhook>>;

  beforeAll(async () => {
    webhook = await startSmsWebhook();
  });
  afterAll(async () => webhook?.close());

  it('is absent when no webhook is configured, so nothing is sent or pretended', () => {
    expect(createSmsSender({ webhookUrl: undefined, token: 'token-1234' })).toBeNull();
  });

  it('POSTs {to, body} as JSON with the bearer token', async () => {
    webhook.answer(202);
    const before = webhook.received.length;
    const sms = createSmsSender({ webhookUrl: webhook.url, token: 'token-1234' });
    await sms?.send({ to: '+44 7700 900123', body: 'Urgent phone message' });

    expect(webhook.received.slice(before)).toEqual([
      {
        authorization: 'Bearer token-1234',
        contentType: 'application/json',
        json: { to: '+44 7700 900123', body: 'Urgent phone message' },
      },
    ]);
  });

  it('sends no Authorization header without a token', async () => {
    const before = webhook.received.length;
    await createSmsSender({ webhookUrl: webhook.url })?.send({ to: '07700 900123', body: 'x' });

    expect(webhook.received[before]?.authorization).toBeUndefined();
  });

  it('fails on a non-2xx answer, naming the status but not the number or text', async () => {
    webhook.answer(500);
    const sms = createSmsSender({ webhookUrl: webhook.url, token: 'token-1234' });
    const error = await sms?.send({ to: '07700 900123', body: 'secret text' }).catch((e: unknown) => e);
    webhook.answer(202);

    expect(error).toBeInstanceOf(SmsError);
    expect((error as Error).message).toBe('SMS webhook answered 500');
  });

  it('gives up after its timeout when the gateway does not answer', async () => {
    webhook.hang(true);
    const sms = createSmsSender({ webhookUrl: webhook.url, timeoutMs: 200 });
    const error = await sms?.send({ to: '07700 900123', body: 'x' }).catch((e: unknown) => e);
    webhook.hang(false);

    expect((error as Error).message).toBe('SMS webhook did not answer within 200 ms');
  });

  it('fails when the gateway is unreachable', async () => {
    const sms = createSmsSender({ webhookUrl: 'http://127.0.0.1:1/sms' });
    const error = await sms?.send({ to: '07700 900123', body: 'x' }).catch((e: unknown) => e);

    expect((error as Error).message).toBe('SMS webhook unreachable');
  });
});
