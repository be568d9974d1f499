/**
 * Signing in through `app.inject`, each time from a new client address: the sign-in route is rate limited per
 * address, so tests that sign in often do not trip over each other's budget.
 */
import type { App } from '../../src/kernel/http/types.ts';

export type Credentials = { email: string; password: string };
export type Session = { cookie: string; csrf: string };

let addresses = 0;

/** A client address no earlier request in this process used. */
export const freshAddress = () => {
  addresses += 1;

  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
};

/** `name=value` of the first Set-Cookie header, ready to send back in a Cookie header. */
export const cookiePair = (setCookie: string | string[] | undefined) =>
  ([setCookie ?? ''].flat()[0] ?? '').split(';')[0] ?? '';

export const signIn = async (app: App, who: Credentials): Promise<Session> => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: who,
    remoteAddress: freshAddress(),
  });
  if (res.statusCode !== 200) throw new Error(`signing in as ${who.email} answered ${res.statusCode}: ${res.body}`);

  return { cookie: cookiePair(res.headers['set-cookie']), csrf: (res.json() as { csrfToken: string }).csrfToken };
};

/** Headers for a signed-in request; `csrf: false` leaves the CSRF token out. */
export const as = (session: Session, options: { csrf?: boolean } = {}) => ({
  cookie: session.cookie,
  ...(options.csrf === false ? {} : { 'x-csrf-token': session.csrf }),
});
