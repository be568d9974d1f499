/**
 * @module Rights requests (issue 5): the queue, one request, the steps between receipt and answer, completion, and
 * the staff dashboard. Staff answer the provider's own requests under `/api/rights`; a client's owner answers the
 * parts routed to their business (CC-11) under `/api/portal/rights`, with the same shapes. Built on `apiRequest`,
 * so CSRF and error handling are the same as every other call.
 *
 * @example
 * const rights = rightsApi('staff');
 * const { requests } = await rights.list({ status: 'open' });
 */
import { apiRequest } from './api.ts';

export const REQUEST_KINDS = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'object_direct_marketing',
  'withdraw_consent',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = [
  'awaiting_verification',
  'received',
  'in_progress',
  'awaiting_clarification',
  'completed',
  'refused',
  'expired',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export type Channel = 'web' | 'portal' | 'phone' | 'email' | 'post';
export type FeeStatus = 'none' | 'requested' | 'paid' | 'waived';

export type QueueEntry = {
  id: string;
  /** A part of a request made to the provider, routed to the client that controls the data. */
  routed: boolean;
  kind: RequestKind;
  status: RequestStatus;
  channel: Channel;
  requesterName: string | null;
  requesterEmail: string | null;
  receivedAt: string;
  /** Civil date `YYYY-MM-DD`; null while the clock stands still. */
  dueOn: string | null;
  extended: boolean;
  feeStatus: FeeStatus;
  closedAt: string | null;
  daysLeft: number | null;
  overdue: boolean;
};

export type RequestClock = {
  clockStart: string | null;
  dueOn: string | null;
  waitingFor: 'verification' | 'fee' | 'clarification' | null;
  extensionNoticeBy: string | null;
  pausedDays: number;
  extended: boolean;
  daysLeft: number | null;
  overdue: boolean;
};

export type RequestEvent = { event: string; at: string; byRole: string | null; reason: string | null };

export type KeptRecord = { what: string; reason: string; until?: string };

export type CoveredSubject = {
  subjectId: string;
  kind: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  matchedBy: string;
  /** False once the person's record is gone (erased). */
  present: boolean;
  outcome: { done?: string; kept?: KeptRecord[]; counts?: Record<string, number> } | null;
};

export const HOLD_BASES = ['legal_claims', 'legal_obligation', 'staff_hold'] as const;
export type HoldBasis = (typeof HOLD_BASES)[number];

export type NewLegalHold = { subjectId: string; basis: HoldBasis; reason: string; reviewOn: string };

export type LegalHold = {
  id: string;
  subject_id: string;
  basis: string;
  reason: string;
  review_on: string;
  placed_at: string;
};

export type AccessPackage = {
  id: string;
  status: 'draft' | 'released' | 'deleted';
  sizeBytes: number;
  createdAt: string;
  releasedAt: string | null;
  expiresAt: string | null;
  downloads: number;
};

export type RequestPart = {
  id: string;
  controller: string;
  status: RequestStatus;
  dueOn: string | null;
  extended: boolean;
  closedAt: string | null;
  daysLeft: number | null;
  overdue: boolean;
};

/** What the person is told: a completion's summary and kept records, or a refusal's reason. */
export type RequestOutcome = {
  summary?: string;
  kept?: KeptRecord[];
  packageId?: string | null;
  refused?: boolean;
  reason?: string;
  explanation?: string;
};

export type RightsRequest = {
  id: string;
  accountId: string;
  routed: boolean;
  parentId: string | null;
  kind: RequestKind;
  status: RequestStatus;
  channel: Channel;
  requester: { email: string | null; name: string | null; phone: string | null };
  details: string | null;
  verificationMethod: string | null;
  receivedAt: string;
  verifiedAt: string | null;
  clock: RequestClock;
  fee: { status: FeeStatus; pence: number | null };
  closedAt: string | null;
  outcome: RequestOutcome | null;
  events: RequestEvent[];
  subjects: CoveredSubject[];
  legalHolds: LegalHold[];
  packages: AccessPackage[];
  /** Art. 19: those the person's data went to, to be told of a rectification, erasure or restriction. */
  recipientsToTell: RecipientToTell[];
  parts: RequestPart[];
};

export type RecipientToTell = {
  id: string;
  name: string;
  toldAt: string | null;
  toldByRole: string | null;
  how: string | null;
};

export const REFUSAL_REASONS = [
  'manifestly_unfounded',
  'manifestly_excessive',
  'identity_not_confirmed',
  'exemption_applies',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const FEE_REASONS = ['further_copy', 'manifestly_unfounded', 'manifestly_excessive'] as const;
export type FeeReason = (typeof FEE_REASONS)[number];

export type RequestAction =
  | { type: 'start' }
  | { type: 'request_clarification'; question: string }
  | { type: 'clarification_received' }
  | { type: 'extend'; reason: string }
  | { type: 'request_fee'; reason: FeeReason; amountPence: number; explanation: string }
  | { type: 'fee_paid' }
  | { type: 'waive_fee' }
  | { type: 'refuse'; reason: RefusalReason; explanation: string };

/** A passage someone else wrote about the person (a message as taken down), to check before a copy goes out. */
export type ReviewField = { recordId: string; dataset: string; field: string; text: string };

/** Words to black out in one passage of the copy: another person's name or details (Art. 15(4)). */
export type Redaction = { recordId: string; field: string; text: string };

export type CompletionInput = {
  corrections?: { subjectId: string; name?: string; email?: string; phone?: string };
  compellingGrounds?: { purpose: string; grounds: string }[];
  purposes?: string[];
  /** Access and portability: the reviewer read every passage in `review`. */
  reviewedForOtherPeople?: boolean;
  redactions?: Redaction[];
};

export type CompletionResult = {
  summary: string;
  kept: KeptRecord[];
  subjects: { subjectId: string; done: string; kept: KeptRecord[] }[];
  packageId?: string;
};

export type IdentityCheck = { method: 'phone' | 'document'; note: string };

export type LogRequestInput = {
  kind: RequestKind;
  email: string;
  name?: string;
  phone?: string;
  details?: string;
  channel: 'phone' | 'email' | 'post';
  verification: IdentityCheck | null;
};

export type DashboardRow = { month: string; kind: RequestKind; status: RequestStatus; count: number };

export type Dashboard = {
  since: string;
  byMonth: DashboardRow[];
  open: number;
  overdue: number;
  dueThisWeek: number;
  closed: number;
  /** Share of closed requests answered by their due date; null before any closed. */
  onTimeRate: number | null;
};

/** The policy's purposes each kind of request reaches (public: the privacy centre reads it too). */
export type RightsGuide = {
  kinds: { kind: RequestKind; title: string; appliesTo: { purpose: string; name: string; legalBasis: string }[] }[];
};

export const rightsGuide = (): Promise<RightsGuide> => apiRequest('GET', '/api/privacy/rights');

export type QueueFilter = { status?: RequestStatus | 'open' | ''; kind?: RequestKind | '' };

/** Who is answering: the provider's staff, or a client's owner for the parts routed to them. */
export type RightsAudience = 'staff' | 'owner';

const PREFIX: Record<RightsAudience, string> = { staff: '/api/rights', owner: '/api/portal/rights' };

export const rightsApi = (audience: RightsAudience) => {
  const prefix = PREFIX[audience];
  const requestPath = (id: string): string => `${prefix}/requests/${encodeURIComponent(id)}`;

  return {
    list: async (filter: QueueFilter = {}): Promise<QueueEntry[]> => {
      const query = new URLSearchParams();
      if (filter.status) query.set('status', filter.status);
      if (filter.kind) query.set('kind', filter.kind);
      const search = query.size > 0 ? `?${query}` : '';
      return (await apiRequest<{ requests: QueueEntry[] }>('GET', `${prefix}/requests${search}`)).requests;
    },
    get: (id: string): Promise<RightsRequest> => apiRequest('GET', requestPath(id)),
    act: (id: string, action: RequestAction): Promise<{ ok: true }> =>
      apiRequest('POST', `${requestPath(id)}/actions`, action),
    /** Access and portability: what others wrote about the person, to read before the copy goes out. */
    review: async (id: string): Promise<ReviewField[]> =>
      (await apiRequest<{ fields: ReviewField[] }>('GET', `${requestPath(id)}/review`)).fields,
    /** The HTML report of a package prepared for the request, to open in a new tab (what the person was sent). */
    packageReportUrl: (id: string, packageId: string): string =>
      `${requestPath(id)}/packages/${encodeURIComponent(packageId)}/report`,
    /** The whole ZIP of a package, as the person was sent it (a download; not counted as theirs). */
    packageZipUrl: (id: string, packageId: string): string =>
      `${requestPath(id)}/packages/${encodeURIComponent(packageId)}/zip`,
    complete: (id: string, input: CompletionInput): Promise<CompletionResult> =>
      apiRequest('POST', `${requestPath(id)}/complete`, input),
    /** Art. 18(3): the person is e-mailed first; only then is the restriction lifted. */
    liftRestriction: (id: string): Promise<{ lifted: number }> =>
      apiRequest('POST', `${requestPath(id)}/lift-restriction`),
    /** Art. 19: records that a recipient was told of the outcome, and how (or why it was impossible). */
    recipientTold: (id: string, recipientId: string, how: string): Promise<RecipientToTell> =>
      apiRequest('POST', `${requestPath(id)}/recipients/${encodeURIComponent(recipientId)}/told`, { how }),
    placeHold: (hold: NewLegalHold): Promise<{ holdId: string }> => apiRequest('POST', `${prefix}/legal-holds`, hold),
    liftHold: (holdId: string): Promise<{ ok: true }> =>
      apiRequest('POST', `${prefix}/legal-holds/${encodeURIComponent(holdId)}/lift`),
  };
};

export type RightsApi = ReturnType<typeof rightsApi>;

/** Staff only: requests received by phone, e-mail or post, identity checks, and the dashboard. */
export const staffRightsApi = {
  log: (input: LogRequestInput): Promise<{ requestId: string }> => apiRequest('POST', '/api/rights/requests', input),
  verify: (id: string, check: IdentityCheck): Promise<{ ok: true }> =>
    apiRequest('POST', `/api/rights/requests/${encodeURIComponent(id)}/verify`, check),
  dashboard: (months = 12): Promise<Dashboard> => apiRequest('GET', `/api/rights/dashboard?months=${months}`),
};
