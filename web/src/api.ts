/**
 * @module The only place the web app talks to the server. Every call goes through `request`, which
 * attaches the CSRF token to unsafe methods and turns every failure into an `ApiError`.
 */

export type StaffRole = 'admin' | 'receptionist' | 'mailroom' | 'billing' | 'support' | 'privacy_officer';
export type ClientRole = 'owner' | 'colleague';

export type User = {
  id: string;
  role: StaffRole | ClientRole;
  kind: 'staff' | 'client';
  /** For staff, the provider's own account. */
  accountId: string;
  accountName: string;
  displayName: string;
};

export type Session = { user: User; csrfToken: string };

export type Account = { id: string; name: string; status: string };

export type SubjectSummary = {
  id: string;
  kind: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  createdAt: string;
};

export type Subject = SubjectSummary & { source: string };

/** `body` is null when the note can no longer be decrypted (its person's key was destroyed). */
export type Note = { id: string; body: string | null; purpose: string; createdAt: string };

export type NoteReceipt = { noteId: string; subjectId: string; linkedExisting: boolean };

export type PortalSummary = { account: Account; counts: { people: number; notes: number } };

export type SubjectSearch = { by: 'email' | 'phone' | 'name'; value: string };

/** Codes the server sends, plus NETWORK for requests that never got an answer. */
export type ApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PURPOSE_REFUSED'
  | 'MFA_REQUIRED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'NETWORK';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Per-field messages from a VALIDATION_FAILED answer, flattened to `path → message`. */
  get fieldErrors(): Record<string, string> {
    const fields = this.details.fields;
    if (!fields || typeof fields !== 'object') return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
      if (typeof value === 'string') out[key] = value;
      else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
    }
    return out;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

let csrfToken: string | null = null;
let onSessionLost: (() => void) | null = null;

/** Called whenever the server says the session is gone, so the app can return to sign-in. */
export const setSessionLostHandler = (handler: (() => void) | null): void => {
  onSessionLost = handler;
};

const remember = (session: Session): Session => {
  csrfToken = session.csrfToken;
  return session;
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const toApiError = async (response: Response): Promise<ApiError> => {
  try {
    const body = (await response.json()) as Partial<{
      code: ApiErrorCode;
      message: string;
      details: Record<string, unknown>;
    }>;
    if (typeof body.code === 'string') {
      return new ApiError(response.status, body.code, body.message ?? response.statusText, body.details ?? {});
    }
  } catch {
    // A proxy or crash page instead of our JSON error body; fall through to a generic error.
  }
  const code: ApiErrorCode = response.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  return new ApiError(response.status, code, `The server answered ${response.status} ${response.statusText}`.trim());
};

export const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
  const headers: Record<string, string> = { accept: 'application/json' };
  const form = body instanceof FormData;
  // A FormData body sets its own multipart content type (with the boundary).
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Could not reach Custodian. Check your connection and try again.');
  }
  if (!response.ok) {
    const error = await toApiError(response);
    // Sign-in itself answers 401 for a wrong password; that is not a lost session.
    if (error.status === 401 && !path.startsWith('/api/auth/')) onSessionLost?.();
    throw error;
  }
  return response;
};

export const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await send(method, path, body);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
};

/** For feature modules with their own calls (web/src/staff-office-api.ts): same CSRF, errors and session handling. */
export const apiRequest = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  request<T>(method, path, body);

const accountPath = (accountId: string): string => `/api/accounts/${encodeURIComponent(accountId)}`;
const subjectPath = (accountId: string, subjectId: string): string =>
  `${accountPath(accountId)}/subjects/${encodeURIComponent(subjectId)}`;

export const filenameFrom = (disposition: string | null, fallback: string): string => {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1] ?? fallback;
};

export const api = {
  me: async (): Promise<Session> => remember(await request<Session>('GET', '/api/auth/me')),

  signIn: async (email: string, password: string): Promise<Session> =>
    remember(await request<Session>('POST', '/api/auth/sign-in', { email, password })),

  verifyTotp: async (code: string): Promise<Session> =>
    remember(await request<Session>('POST', '/api/auth/totp', { code })),

  signOut: async (): Promise<void> => {
    try {
      await request<void>('POST', '/api/auth/sign-out');
    } finally {
      csrfToken = null;
    }
  },

  listAccounts: async (): Promise<Account[]> =>
    (await request<{ accounts: Account[] }>('GET', '/api/accounts')).accounts,

  recordContactNote: (
    accountId: string,
    input: { person: { name: string; email?: string; phone?: string }; body: string },
  ): Promise<NoteReceipt> => request<NoteReceipt>('POST', `${accountPath(accountId)}/contact-notes`, input),

  findSubjects: async (accountId: string, search: SubjectSearch): Promise<SubjectSummary[]> => {
    const query = new URLSearchParams({ [search.by]: search.value });
    return (await request<{ subjects: SubjectSummary[] }>('GET', `${accountPath(accountId)}/subjects?${query}`))
      .subjects;
  },

  getSubject: (accountId: string, subjectId: string): Promise<{ subject: Subject; notes: Note[] }> =>
    request('GET', subjectPath(accountId, subjectId)),

  /** Fetches the export as a file rather than navigating, so errors stay on the page. */
  exportSubject: async (accountId: string, subjectId: string): Promise<{ blob: Blob; filename: string }> => {
    const response = await send('GET', `${subjectPath(accountId, subjectId)}/export`);
    const filename = filenameFrom(response.headers.get('content-disposition'), `person-${subjectId}.json`);
    return { blob: await response.blob(), filename };
  },

  eraseSubject: (accountId: string, subjectId: string): Promise<{ erased: true; counts?: Record<string, number> }> =>
    request('POST', `${subjectPath(accountId, subjectId)}/erase`, { confirm: 'ERASE' }),

  portalSummary: (): Promise<PortalSummary> => request('GET', '/api/portal/summary'),
};
