/**
 * @module The privacy center's calls: the rights guide, a public request and its e-mailed code, the status page by
 * its link token, and a signed-in client user's own request. Built on `request` from api.ts, so errors are the same
 * `ApiError` everywhere; the public calls need no session or CSRF token.
 */
import { request } from '../../api.ts';

export type RightKind =
  | 'access'
  | 'portability'
  | 'rectification'
  | 'erasure'
  | 'restriction'
  | 'objection'
  | 'object_direct_marketing'
  | 'withdraw_consent';

export type RightGuide = {
  kind: RightKind;
  title: string;
  explanation: string;
  /** The privacy notice's own words for this right, when the notice lists it. */
  notice: string | null;
  appliesTo: { purpose: string; name: string; legalBasis: string }[];
};

export type Complaint = { authority: string; web: string; how: string };

export type RightsGuide = {
  business: string;
  /** ISO 8601 duration, e.g. P1M. */
  responsePeriod: string;
  identity: string[];
  fees: { firstCopyFree: boolean; furtherCopies: string; manifestlyUnfounded: string };
  processorRequests: string | null;
  complaint: Complaint;
  kinds: RightGuide[];
};

export type RequestStatus =
  | 'awaiting_verification'
  | 'received'
  | 'in_progress'
  | 'awaiting_clarification'
  | 'completed'
  | 'refused'
  | 'expired';

export type KeptRecord = { what: string; reason: string; until?: string };

export type CompletedOutcome = { summary: string; kept: KeptRecord[]; packageId?: string | null };
export type RefusedOutcome = { refused: true; reason: string; explanation: string };
export type Outcome = CompletedOutcome | RefusedOutcome;

export type RequestPart = {
  controller: string;
  status: RequestStatus;
  dueOn: string | null;
  extended: boolean;
  closedAt: string | null;
  outcome: Outcome | null;
};

export type RequestStatusView = {
  kind: RightKind;
  status: RequestStatus;
  receivedAt: string;
  verifiedAt: string | null;
  dueOn: string | null;
  extended: boolean;
  extensionReason: string | null;
  waitingFor: 'clarification' | 'fee' | null;
  closedAt: string | null;
  outcome: Outcome | null;
  answeredBy: string;
  parts: RequestPart[];
  complaint: Complaint;
};

export type NewRequest = { kind: RightKind; email: string; name?: string; phone?: string; details?: string };

export const isRefusal = (outcome: Outcome): outcome is RefusedOutcome => 'refused' in outcome && outcome.refused;

const statusQuery = (token: string, packageId?: string): string => {
  const query = new URLSearchParams({ token });
  if (packageId) query.set('package', packageId);
  return query.toString();
};

export const privacyCenterApi = {
  rights: (): Promise<RightsGuide> => request('GET', '/api/privacy/rights'),

  submit: (input: NewRequest): Promise<{ requestId: string; codeExpiresAt: string }> =>
    request('POST', '/api/privacy/requests', input),

  verify: (requestId: string, code: string): Promise<{ statusToken: string }> =>
    request('POST', `/api/privacy/requests/${encodeURIComponent(requestId)}/verify`, { code }),

  status: (token: string): Promise<RequestStatusView> =>
    request('GET', `/api/privacy/requests/status?${statusQuery(token)}`),

  /** Plain links (not fetches): the browser downloads the ZIP and opens the report itself. */
  packageUrl: (token: string, packageId: string): string =>
    `/api/privacy/requests/package?${statusQuery(token, packageId)}`,
  reportUrl: (token: string, packageId: string): string =>
    `/api/privacy/requests/report?${statusQuery(token, packageId)}`,

  submitOwn: (input: { kind: RightKind; details?: string }): Promise<{ requestId: string; statusToken: string }> =>
    request('POST', '/api/portal/privacy-requests', input),
};

/** Where a status link points; the token rides in the fragment, so it never reaches a server log. */
export const statusPath = (token: string): string => `/privacy/requests/status#${token}`;
