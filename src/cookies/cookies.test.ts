/**
 * The cookie consent log, GPC and the generated cookie pages over HTTP (`app.inject`), on the contact-centre
 * notice, whose banner has the most categories (advertising among them).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAddress } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import type { App } from '../kernel/http/types.ts';
import { POLICIES_DIR } from '../policy/policy-loader.ts';
import { bannerSize } from './banner.ts';
import { gpcFromHeader, readCookieConsents } from './cookie-consent-log.ts';

describe('cookie consent log and GPC', () => {
  let kernel: TestKernel;
  let app: App;

  beforeAll(async () => {
    kernel = await createTestKernel({ env: { POLICY_FILE: path.join(POLICIES_DIR, 'contact-centre-saas.yaml') } });
    await ensureProviderAccount(kernel, 'Quillon (test)');
    app = await buildApp(kernel);
  });

  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  const decision = (over: Record<string, unknown> = {}) => ({
    consentId: crypto.randomUUID(),
    noticeVersion: kernel.policyFile.file.version,
    categories: { analytics: false, advertising: false },
    gpc: false,
    method: 'reject_all',
    ...over,
  });
  const post = (payload: unknown, headers: Record<string, string> = {}, remoteAddress = freshAddress()) =>
    app.inject({ method: 'POST', url: '/api/consent/cookies', payload: payload as object, headers, remoteAddress });

  it('records a decision with its random id, notice version and GPC flag, and nothing personal', async () => {
    const body = decision({ categories: { analytics: true, advertising: false, consent: true }, method: 'custom' });
    const res = await post(body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ granted: ['analytics'], refused: ['advertising'], gpc: false });
    const [row] = await readCookieConsents(kernel, body.consentId);
    expect(row).toMatchObject({
      notice_version: kernel.policyFile.file.version,
      granted: ['analytics'],
      refused: ['advertising'],
      gpc: false,
      method: 'custom',
    });
    expect(Object.keys(row ?? {}).sort()).toEqual([
      'account_id',
      'consent_id',
      'gpc',
      'granted',
      'id',
      'method',
      'notice_version',
      'recorded_at',
      'refused',
    ]);
  });

  it('Sec-GPC: 1 records advertising refused, marks the decision as GPC, and keeps the advertising tag out of the page', async () => {
    const body = decision({ categories: { advertising: false }, method: 'gpc' });
    const res = await post(body, { 'sec-gpc': '1' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ refused: ['advertising'], gpc: true });
    expect((await readCookieConsents(kernel, body.consentId))[0]).toMatchObject({
      gpc: true,
      method: 'gpc',
      granted: [],
    });
    // A GPC-derived record can only refuse.
    expect((await post(decision({ categories: { advertising: true }, method: 'gpc' }))).statusCode).toBe(400);
    // The example site does not even send the advertising tag to a GPC browser.
    const withGpc = await app.inject({ method: 'GET', url: '/demo-site', headers: { 'sec-gpc': '1' } });
    expect(withGpc.body).not.toContain('data-category="advertising"');
    expect(withGpc.body).toContain('data-category="analytics"');
    const without = await app.inject({ method: 'GET', url: '/demo-site' });
    expect(without.body).toContain('data-category="advertising"');
  });

  it('Sec-GPC counts only when a value is exactly "1", and any "1" among repeated headers wins', () => {
    expect(gpcFromHeader('1')).toBe(true);
    expect(gpcFromHeader(['0', '1'])).toBe(true);
    expect(gpcFromHeader('0, 1')).toBe(true);
    for (const off of ['0', 'true', 'yes', '', ' 2', undefined]) expect(gpcFromHeader(off), String(off)).toBe(false);
  });

  it('serves /.well-known/gpc.json', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/gpc.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { gpc: unknown; lastUpdate: string };
    expect(body.gpc).toBe(true);
    expect(body.lastUpdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses malformed posts, unknown categories, refused essentials and a stale notice version, recording nothing', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ ...decision(), consentId: 'not-a-uuid' }, 400, /Some fields are not valid/],
      [{ ...decision(), extra: 1 }, 400, /Some fields are not valid/],
      [{ ...decision(), categories: { analytics: 'yes' } }, 400, /Some fields are not valid/],
      [
        decision({ categories: { analytics: false, tracking_pixels: false } }),
        400,
        /Unknown cookie categories: tracking_pixels/,
      ],
      [decision({ categories: { security: false } }), 400, /Essential cookie categories cannot be refused/],
      [decision({ noticeVersion: kernel.policyFile.file.version + 1 }), 409, /reload the page/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.body).toMatch(message);
      const id = (payload as { consentId?: string }).consentId;
      if (id && /^[0-9a-f-]{36}$/.test(id)) expect(await readCookieConsents(kernel, id)).toEqual([]);
    }
    const text = await app.inject({
      method: 'POST',
      url: '/api/consent/cookies',
      payload: 'categories=all',
      headers: { 'content-type': 'text/plain' },
      remoteAddress: freshAddress(),
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('rate-limits a flood of consent posts from one address, and only that address', async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await post(decision(), {}, address)).statusCode);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const limited = await post(decision(), {}, address);
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await post(decision())).statusCode).toBe(201);
  });

  it('CC-13: the cookie table lists every category and named cookie of the notice with purpose and expiry', async () => {
    const res = await app.inject({ method: 'GET', url: '/cookies' });
    expect(res.statusCode).toBe(200);
    for (const id of [
      'authentication',
      'status',
      'personalisation',
      'security',
      'advertising',
      'analytics',
      'consent',
    ]) {
      expect(res.body).toContain(`<td>${id}</td>`);
    }
    for (const cookie of kernel.policyFile.file.cookies.list) {
      expect(res.body).toContain(`<td>${cookie.name}</td>`);
      expect(res.body).toContain(cookie.expiry);
    }
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('serves the banner script and stylesheet within the 10 KB gzip budget', async () => {
    const js = await app.inject({ method: 'GET', url: '/consent.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('"gpcOff":["advertising"]');
    const again = await app.inject({
      method: 'GET',
      url: '/consent.js',
      headers: { 'if-none-match': String(js.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ method: 'GET', url: '/consent.css' })).statusCode).toBe(200);
    expect(bannerSize(kernel.policyFile.file).totalGzip).toBeLessThanOrEqual(10_240);
  });

  it("keeps English inline and serves French and German as small JSON, only for the policy's categories", async () => {
    const js = (await app.inject({ method: 'GET', url: '/consent.js' })).body;
    expect(js).toContain('"accept":"Accept all"');
    expect(js).not.toContain('Tout accepter');
    const fr = await app.inject({ method: 'GET', url: '/consent/i18n/fr.json' });
    expect(fr.statusCode).toBe(200);
    expect(fr.headers['content-type']).toMatch(/^application\/json/);
    expect(fr.json()).toMatchObject({
      lang: 'fr',
      t: { accept: 'Tout accepter', reject: 'Tout refuser', title: 'Cookies sur Quillon Contact' },
      cats: { analytics: { name: 'Mesure d’audience' }, advertising: { name: 'Publicité' } },
    });
    expect(Object.keys(fr.json().cats).sort()).toEqual(
      kernel.policyFile.file.cookies.categories.map((c) => c.id as string).sort(),
    );
    expect(fr.body.length).toBeLessThan(3_000);
    expect((await app.inject({ method: 'GET', url: '/consent/i18n/de.json' })).json().t.accept).toBe(
      'Alle akzeptieren',
    );
    expect((await app.inject({ method: 'GET', url: '/consent/i18n/xx.json' })).statusCode).toBe(400);
  });
});
