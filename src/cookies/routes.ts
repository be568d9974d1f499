/**
 * @module The cookie banner (`/consent.js`, `/consent.css`), the consent log it posts to, GPC (`Sec-GPC: 1` on every
 * request, and `/.well-known/gpc.json`), the cookie table from the policy (`/cookies`), and an example site
 * (`/demo-site`) with an analytics and an advertising script held back until consent.
 */
import { z } from 'zod';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { bannerAssets } from './banner.ts';
import { BANNER_LANGUAGES, bannerTranslation } from './banner-i18n.ts';
import { gpcFromHeader, recordCookieConsent } from './cookie-consent-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Global Privacy Control signal: an opt-out of sale, sharing and targeted advertising. */
    gpc: boolean;
  }
}

const HTML = 'text/html; charset=utf-8';
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const shell = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/consent.css"><script src="/consent.js" defer></script></head>
<body class="cc-page"><main>${body}</main>
<footer><p><a href="/cookies">Cookies</a> · <a href="/privacy">Privacy notice</a> · <a href="/cookies#settings" data-cc="open">Cookie settings</a></p></footer></body></html>`;

/** Example tags, one per optional category a notice may have; only those the policy lists are put in the page. */
const DEMO_SCRIPTS = ['analytics', 'advertising', 'personalisation'] as const;

export const cookieRoutes = (app: App, kernel: Kernel) => {
  app.decorateRequest('gpc', {
    getter(this: { headers: Record<string, string | string[] | undefined> }) {
      return gpcFromHeader(this.headers['sec-gpc']);
    },
  });

  app.get('/consent.js', { schema: { hide: true } }, async (request, reply) => {
    const { js, etag } = bannerAssets(kernel.policyFile.file);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();

    return reply.type('text/javascript; charset=utf-8').send(js);
  });

  app.get('/consent.css', { schema: { hide: true } }, async (request, reply) => {
    const { css, etag } = bannerAssets(kernel.policyFile.file);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();

    return reply.type('text/css; charset=utf-8').send(css);
  });

  app.get(
    '/consent/i18n/:lang.json',
    { schema: { hide: true, params: z.object({ lang: z.enum(BANNER_LANGUAGES) }) } },
    async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(bannerTranslation(kernel.policyFile.file, request.params.lang)),
  );

  app.post(
    '/api/consent/cookies',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['cookies'],
        summary: 'Log a cookie-banner decision (random consent id, notice version, GPC signal); no personal data',
        body: z.strictObject({
          consentId: z.uuid(),
          noticeVersion: z.number().int().min(1),
          categories: z.record(z.string().max(40), z.boolean()),
          gpc: z.boolean(),
          method: z.enum(['accept_all', 'reject_all', 'custom', 'gpc']),
        }),
        response: { 201: z.object({ granted: z.array(z.string()), refused: z.array(z.string()), gpc: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const gpc = request.body.gpc || request.gpc;
      const result = await recordCookieConsent(kernel, { ...request.body, gpc });

      return reply.status(201).send({ ...result, gpc });
    },
  );

  app.get('/.well-known/gpc.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send({ gpc: true, lastUpdate: kernel.policyFile.file.effectiveDate }),
  );

  app.get('/cookies', { schema: { hide: true } }, async (_request, reply) => {
    const file = kernel.policyFile.file;
    const rows = (cells: string[][]) =>
      cells.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');

    return reply.type(HTML).send(
      shell(
        'Cookies',
        `<h1>Cookies</h1><p>${esc(file.cookies.banner)}</p>
<table><caption>Cookie categories</caption><thead><tr><th scope="col">Category</th><th scope="col">What for</th><th scope="col">Needs your consent</th></tr></thead>
<tbody>${rows(file.cookies.categories.map((c) => [c.id, c.description, c.consentRequired ? 'Yes' : 'No']))}</tbody></table>
<table><caption>Cookies we use</caption><thead><tr><th scope="col">Name</th><th scope="col">Category</th><th scope="col">Purpose</th><th scope="col">Provider</th><th scope="col">Expires</th></tr></thead>
<tbody>${rows(file.cookies.list.map((k) => [k.name, k.category, k.purpose, k.provider, k.expiry]))}</tbody></table>
<p id="settings"><button type="button" class="cc-btn" data-cc="open">Change your cookie choices</button></p>`,
      ),
    );
  });

  app.get('/demo-site', { schema: { hide: true } }, async (request, reply) => {
    const file = kernel.policyFile.file;
    const categories = new Set(file.cookies.categories.filter((c) => c.consentRequired).map((c) => c.id as string));
    // Sec-GPC: 1 is honoured on the server too: the advertising tag is not even sent to a GPC browser.
    const tags = DEMO_SCRIPTS.filter((s) => categories.has(s) && !(s === 'advertising' && request.gpc))
      .map((s) => `<script type="text/plain" data-category="${s}" data-src="/demo-site/${s}.js"></script>`)
      .join('\n');

    return reply
      .type(HTML)
      .header('cache-control', 'no-store')
      .send(
        shell(
          `${file.controller.tradingName ?? file.controller.name}: example site`,
          `<h1>Example site</h1><p>This page embeds the Custodian cookie banner with the example scripts this notice's
cookie categories allow (analytics, advertising, personalisation). None runs, and none sets a cookie, until you allow its category.</p>
<ul>${DEMO_SCRIPTS.filter((s) => categories.has(s))
            .map((s) => `<li>${s}: <output id="${s}-state">not running</output></li>`)
            .join('')}</ul>
${tags}`,
        ),
      );
  });

  app.get(
    '/demo-site/:script',
    {
      schema: {
        hide: true,
        params: z.object({ script: z.enum(['analytics.js', 'advertising.js', 'personalisation.js']) }),
      },
    },
    async (request, reply) => {
      const category = request.params.script.replace('.js', '');
      const names = kernel.policyFile.file.cookies.list.filter((k) => k.category === category).map((k) => k.name);
      const cookies = (names.length > 0 ? names : [`demo_${category}`])
        .map((n) => `document.cookie = '${n}=' + Math.random().toString(36).slice(2) + '; Max-Age=3600; Path=/';`)
        .join('\n');

      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(
          `${cookies}\nwindow.__demoRuns = window.__demoRuns || {};\nwindow.__demoRuns['${category}'] = (window.__demoRuns['${category}'] || 0) + 1;\nvar o = document.getElementById('${category}-state'); if (o) o.textContent = 'running';\n`,
        );
    },
  );
};
