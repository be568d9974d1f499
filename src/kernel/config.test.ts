import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const sut = loadConfig;

const errorOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected loadConfig to throw');
};

describe(loadConfig.name, () => {
  it('fills every setting with its documented default when the environment is empty', () => {
    expect(sut({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      demo: false,
      smtpUrl: undefined,
      mailFrom: 'Custodian <no-reply@custodian.invalid>',
      publicUrl: 'http://127.0.0.1:3000',
      masterKey: undefined,
      blindIndexKey: undefined,
      logLevel: 'info',
      sessionTtlHours: 12,
      cookieSecure: true,
      jobs: true,
      uploadLimitBytes: 10 * 1024 * 1024,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(sut({ PORT: '', DATABASE_URL: '', COOKIE_SECURE: '' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      cookieSecure: true,
    });
  });

  it('reads valid values', () => {
    const key = crypto.randomBytes(32).toString('base64');
    const config = sut({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app@db.internal:5432/custodian',
      CUSTODIAN_MASTER_KEY: key,
      COOKIE_SECURE: '0',
      CUSTODIAN_DEMO: 'yes',
    });

    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgresql://app@db.internal:5432/custodian',
      masterKey: key,
      cookieSecure: false,
      demo: true,
      publicUrl: 'http://127.0.0.1:8080',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://root@localhost/custodian'],
    ['DATABASE_URL', '/var/run/postgresql'],
    ['CUSTODIAN_MASTER_KEY', 'not-a-key'],
    ['CUSTODIAN_MASTER_KEY', crypto.randomBytes(16).toString('base64')],
    ['SMS_WEBHOOK_URL', 'not a url'],
    ['SMS_WEBHOOK_URL', 'http://sms.example.test/send'],
    ['SMS_WEBHOOK_URL', 'http://127.0.0.1.example.test/send'],
    ['SMS_WEBHOOK_URL', 'ftp://sms.example.test/send'],
    ['SMS_WEBHOOK_TOKEN', 'short'],
  ])('refuses %s=%j with a ConfigError naming the variable', (variable, value) => {
    const error = errorOf(() => sut({ [variable]: value }));

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('takes an HTTPS SMS webhook (or plain http to this machine) and its token', () => {
    expect(sut({ SMS_WEBHOOK_URL: 'https://sms.example.test/send', SMS_WEBHOOK_TOKEN: 'token-1234' })).toMatchObject({
      smsWebhookUrl: 'https://sms.example.test/send',
      smsWebhookToken: 'token-1234',
    });
    expect(sut({ SMS_WEBHOOK_URL: 'http://127.0.0.1:8025/sms' }).smsWebhookUrl).toBe('http://127.0.0.1:8025/sms');
    expect(sut({}).smsWebhookUrl).toBeUndefined();
  });

  it('refuses an SMS token without a webhook to send it to', () => {
    const error = errorOf(() => sut({ SMS_WEBHOOK_TOKEN: 'token-1234' }));

    expect((error as ConfigError).variable).toBe('SMS_WEBHOOK_TOKEN');
  });

  it('returns a frozen object that cannot be changed afterwards', () => {
    const config = sut({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});
