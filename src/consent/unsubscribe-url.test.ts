/**
 * The one-click unsubscribe link's base is PUBLIC_URL exactly: https in production; an http development URL is kept
 * (rewriting it would point at a server nobody runs) and the start-up log warns once that RFC 8058 wants HTTPS.
 */
import { describe, expect, it, vi } from 'vitest';
import { createTestKernel } from '../../test/support/kernel.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createSubject } from '../subjects/subjects.ts';
import { recordMarketingChoice } from './consent-records.ts';
import { sendMarketingEmail, unsubscribeUrl, unsubscribeUrlWarning } from './marketing-mail.ts';

const SUBJECT = '00000000-0000-4000-8000-0000000000bb';

const startUp = async (publicUrl: string) => {
  const kernel = await createTestKernel({ env: { PUBLIC_URL: publicUrl, LOG_LEVEL: 'warn' } });
  const app = await buildApp(kernel);
  const warn = vi.spyOn(app.log, 'warn').mockImplementation(() => undefined);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const warnings = warn.mock.calls.map((args) => args.map(String).join(' '));

  return { kernel, app, warnings };
};

describe('unsubscribe link base', () => {
  it('uses an https PUBLIC_URL as it is, path included, and logs no warning', async () => {
    const { kernel, app, warnings } = await startUp('https://desk.example.test/custodian/');
    try {
      expect(unsubscribeUrl(kernel, PROVIDER_ACCOUNT_ID, SUBJECT)).toMatch(
        /^https:\/\/desk\.example\.test\/custodian\/u\/[A-Za-z0-9_-]+$/,
      );
      expect(warnings.filter((w) => /RFC 8058/.test(w))).toEqual([]);
    } finally {
      await app.close();
      await kernel.close();
    }
  });

  it('keeps an http PUBLIC_URL (development) for the link, in the e-mail too, and warns once at start-up with no personal data', async () => {
    const { kernel, app, warnings } = await startUp('http://127.0.0.1:3000');
    try {
      expect(warnings.filter((w) => /RFC 8058/.test(w))).toEqual([unsubscribeUrlWarning(kernel.config)]);
      expect(warnings.join('\n')).not.toMatch(/@|127\.0\.0\.1/);
      expect(unsubscribeUrl(kernel, PROVIDER_ACCOUNT_ID, SUBJECT)).toMatch(/^http:\/\/127\.0\.0\.1:3000\/u\//);

      await ensureProviderAccount(kernel, 'Desk (test)');
      const subjectId = await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        createSubject(kernel, trx, {
          accountId: PROVIDER_ACCOUNT_ID,
          kind: 'subscriber',
          name: 'Dev Tester',
          email: 'dev@people.test',
          source: 'newsletter form',
          actor: { id: null, role: 'system' },
          purpose: 'marketing',
        }),
      );
      await recordMarketingChoice(kernel, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId,
        channel: 'email',
        topic: 'marketing',
        state: 'given',
        basis: 'consent',
        method: 'web-form',
        actor: { id: null, role: 'data_subject' },
      });
      await sendMarketingEmail(kernel, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId,
        topic: 'marketing',
        subject: 'News',
        text: 'Hello.',
      });
      expect(kernel.sent[0]?.headers?.['List-Unsubscribe']).toMatch(
        /^<http:\/\/127\.0\.0\.1:3000\/u\/[A-Za-z0-9_-]+>$/,
      );
      // Still one warning: sending does not repeat it.
      expect(warnings.filter((w) => /RFC 8058/.test(w))).toHaveLength(1);
    } finally {
      await app.close();
      await kernel.close();
    }
  });

  it('treats only an https scheme as production-ready', () => {
    expect(unsubscribeUrlWarning({ publicUrl: 'https://a.test' })).toBeNull();
    expect(unsubscribeUrlWarning({ publicUrl: 'HTTPS://a.test' })).toBeNull();
    expect(unsubscribeUrlWarning({ publicUrl: 'http://a.test' })).toMatch(/RFC 8058 requires HTTPS in production/);
  });
});
