/**
 * @module The website's consent log: each banner decision, keyed by the random consent id the browser keeps, with
 * the notice version and the GPC signal. Unknown categories and a refused essential category are rejected, so
 * nothing is recorded that the notice does not describe.
 *
 * @example
 * await recordCookieConsent(kernel, { consentId, noticeVersion: 2, categories: { analytics: false }, gpc: true, method: 'gpc' })
 */
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';

export type CookieDecision = {
  consentId: string;
  noticeVersion: number;
  categories: Record<string, boolean>;
  gpc: boolean;
  method: 'accept_all' | 'reject_all' | 'custom' | 'gpc';
};

/** `Sec-GPC` is on only when a header value is exactly "1"; Node joins repeated headers with ", ". */
export const gpcFromHeader = (value: string | string[] | undefined) =>
  [value ?? []]
    .flat()
    .flatMap((v) => v.split(','))
    .some((v) => v.trim() === '1');

export const recordCookieConsent = async (deps: Pick<Kernel, 'db' | 'clock' | 'policyFile'>, input: CookieDecision) => {
  const file = deps.policyFile.file;
  if (input.noticeVersion !== file.version) {
    throw new AppError(
      'CONFLICT',
      `The cookie notice is now version ${file.version}: reload the page and choose again`,
      {
        noticeVersion: file.version,
      },
    );
  }
  const known = new Map(file.cookies.categories.map((c) => [c.id as string, c]));
  const unknown = Object.keys(input.categories).filter((c) => !known.has(c));
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Unknown cookie categories: ${unknown.join(', ')}`, {
      unknown,
      categories: [...known.keys()],
    });
  }
  const essentialRefused = Object.entries(input.categories).filter(
    ([c, on]) => !on && known.get(c)?.consentRequired === false,
  );
  if (essentialRefused.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Essential cookie categories cannot be refused', {
      categories: essentialRefused.map(([c]) => c),
    });
  }
  if (input.method === 'gpc' && Object.values(input.categories).some((on) => on)) {
    throw new AppError('VALIDATION_FAILED', 'A GPC signal can only refuse categories');
  }
  const granted = Object.entries(input.categories)
    .filter(([c, on]) => on && known.get(c)?.consentRequired)
    .map(([c]) => c);
  const refused = Object.entries(input.categories)
    .filter(([, on]) => !on)
    .map(([c]) => c);
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    trx
      .insertInto('cookie_consents')
      .values({
        account_id: PROVIDER_ACCOUNT_ID,
        consent_id: input.consentId,
        notice_version: input.noticeVersion,
        granted,
        refused,
        gpc: input.gpc,
        method: input.method,
        recorded_at: deps.clock.now(),
      })
      .execute(),
  );

  return { granted, refused };
};

export const readCookieConsents = (deps: Pick<Kernel, 'db'>, consentId: string) =>
  deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    trx.selectFrom('cookie_consents').selectAll().where('consent_id', '=', consentId).orderBy('id').execute(),
  );
