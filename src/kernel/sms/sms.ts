/**
 * @module Outbound SMS through a provider adapter. One adapter ships: a generic HTTPS webhook (`SMS_WEBHOOK_URL`,
 * optional `SMS_WEBHOOK_TOKEN`) that receives `POST {to, body}` as JSON with a bearer token and relays it to an SMS
 * gateway. With no webhook configured there is no sender at all (`null`): callers queue no SMS and report none.
 * Only service messages go this way; there is no marketing path.
 *
 * @example
 * const sms = createSmsSender({ webhookUrl: 'https://sms.example.test/send', token: 's3cret' })
 * await sms?.send({ to: '+44 7700 900123', body: 'Urgent phone message for Harbour Lane…' })
 */

export type OutgoingSms = { to: string; body: string };

export type SmsSender = {
  /** Resolves once the provider accepted the message (a 2xx answer); throws otherwise. */
  send(sms: OutgoingSms): Promise<void>;
};

export const SMS_TIMEOUT_MS = 10_000;

export class SmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsError';
  }
}

/** The webhook adapter, or null when no webhook is configured. */
export const createSmsSender = (options: {
  webhookUrl: string | undefined;
  token?: string | undefined;
  timeoutMs?: number;
}): SmsSender | null => {
  const { webhookUrl } = options;
  if (!webhookUrl) return null;
  const timeoutMs = options.timeoutMs ?? SMS_TIMEOUT_MS;

  return {
    send: async (sms) => {
      let response: Response;
      try {
        response = await fetch(webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({ to: sms.to, body: sms.body }),
          // A redirect would carry the bearer token and the message somewhere not configured.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // The number and text stay out of the error: it may be logged.
        const timedOut = (error as { name?: string }).name === 'TimeoutError';
        throw new SmsError(timedOut ? `SMS webhook did not answer within ${timeoutMs} ms` : 'SMS webhook unreachable');
      }
      await response.body?.cancel();
      if (!response.ok) throw new SmsError(`SMS webhook answered ${response.status}`);
    },
  };
};
