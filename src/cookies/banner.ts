/**
 * @module The cookie banner as served: the hand-written script (`banner/consent.js`) with the policy's cookie
 * categories, named cookies and notice version passed in, and its stylesheet. Built once per policy and cached.
 *
 * @example
 * const { js, css, etag } = bannerAssets(kernel.policyFile.file)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { PolicyFile } from '../policy/policy-schema.ts';
import { BANNER_LANGUAGES } from './banner-i18n.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'banner');
const SOURCE_JS = fs.readFileSync(path.join(DIR, 'consent.js'), 'utf8');
const SOURCE_CSS = fs.readFileSync(path.join(DIR, 'consent.css'), 'utf8');

export const CONSENT_COOKIE = 'cookie_choice';
/** Categories GPC refuses until the person explicitly says otherwise: sale, sharing and targeted advertising. */
export const GPC_REFUSES: readonly string[] = ['advertising', 'personalisation'];
export const CONSENT_LOG_PATH = '/api/consent/cookies';
/** Other languages, fetched on demand as `${BANNER_I18N_PATH}<lang>.json`. */
export const BANNER_I18N_PATH = '/consent/i18n/';

const NAMES: Record<string, string> = {
  necessary: 'Strictly necessary',
  authentication: 'Authentication',
  status: 'Sign-in status',
  personalisation: 'Personalisation',
  security: 'Security',
  analytics: 'Analytics',
  advertising: 'Advertising',
  consent: 'Your cookie choices',
};

export const bannerConfig = (file: PolicyFile) => ({
  v: file.version,
  cookie: CONSENT_COOKIE,
  days: 180,
  log: CONSENT_LOG_PATH,
  table: '/cookies',
  i18n: BANNER_I18N_PATH,
  langs: BANNER_LANGUAGES,
  gpcOff: GPC_REFUSES.filter((c) => file.cookies.categories.some((x) => x.id === c && x.consentRequired)),
  cats: file.cookies.categories.map((c) => ({
    id: c.id,
    name: NAMES[c.id] ?? c.id,
    d: c.description,
    req: !c.consentRequired,
  })),
  ck: Object.fromEntries(
    file.cookies.categories.map((c) => [c.id, file.cookies.list.filter((k) => k.category === c.id).map((k) => k.name)]),
  ),
  t: {
    title: `Cookies on ${file.controller.tradingName ?? file.controller.name}`,
    text: file.cookies.banner,
    table: 'See every cookie we use',
    gpc: 'Your browser sent a Global Privacy Control signal, so advertising cookies stay off unless you turn them on.',
    choose: 'Choose which cookies to allow',
    accept: 'Accept all',
    reject: 'Reject all',
    prefs: 'Choose cookies',
    essential: 'Block all but essential',
    save: 'Save my choices',
    on: '(always on)',
  },
});

const cache = new WeakMap<PolicyFile, { js: string; css: string; etag: string }>();

export const bannerAssets = (file: PolicyFile) => {
  let assets = cache.get(file);
  if (!assets) {
    // `<` escaped so policy text can never close a script element if someone inlines the file.
    const json = JSON.stringify(bannerConfig(file)).replace(/</g, '\\u003c');
    const js = SOURCE_JS.replace('})(C, document, window);', `})(${json}, document, window);`);
    const etag = `"${crypto.createHash('sha256').update(js).update(SOURCE_CSS).digest('base64url').slice(0, 20)}"`;
    assets = { js, css: SOURCE_CSS, etag };
    cache.set(file, assets);
  }

  return assets;
};

/** Bytes of the banner as served: raw and gzip -9, JS and CSS (the size budget is 10 KB gzip for both). */
export const bannerSize = (file: PolicyFile) => {
  const { js, css } = bannerAssets(file);
  const gz = (s: string) => zlib.gzipSync(Buffer.from(s), { level: 9 }).length;

  return {
    jsRaw: Buffer.byteLength(js),
    cssRaw: Buffer.byteLength(css),
    jsGzip: gz(js),
    cssGzip: gz(css),
    totalGzip: gz(js) + gz(css),
  };
};
