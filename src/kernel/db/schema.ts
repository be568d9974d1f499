/**
 * @module Row types of every table, as Kysely sees them. Keep in step with `migrations/`.
 */
import type { ColumnType, Generated } from 'kysely';

type Bytes = Buffer<ArrayBufferLike>;
type Timestamp = ColumnType<Date, Date, Date>;

export type AccountKind = 'provider' | 'client';
export type AccountStatus = 'trial' | 'subscribed' | 'cancelled' | 'deactivated';
export type SubjectKind = 'client_user' | 'staff' | 'caller' | 'sender' | 'subscriber' | 'visitor' | 'contact';
export type StaffRole = 'admin' | 'receptionist' | 'mailroom' | 'billing' | 'support' | 'privacy_officer';
export type ClientRole = 'owner' | 'colleague';
export type Role = StaffRole | ClientRole;

export type AccountsTable = {
  id: Generated<string>;
  kind: AccountKind;
  name: string;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  created_at: Timestamp;
  status_changed_at: Timestamp;
  trial_started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  subscribed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  deactivated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type SubjectsTable = {
  id: string;
  account_id: string;
  kind: SubjectKind;
  name: Bytes | null;
  email: Bytes | null;
  phone: Bytes | null;
  name_bidx: Bytes | null;
  email_bidx: Bytes | null;
  phone_bidx: Bytes | null;
  source: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type SubjectKeysTable = {
  subject_id: string;
  account_id: string;
  kek_id: string;
  wrapped: Bytes;
  created_at: Timestamp;
};

export type ErasureLedgerTable = {
  subject_id: string;
  account_id: string;
  erased_at: Timestamp;
  reason: string;
};

export type ProcessingControlsTable = {
  id: Generated<string>;
  account_id: string;
  subject_id: string;
  kind: 'restriction' | 'objection' | 'consent';
  purpose: string | null;
  active: boolean;
  recorded_at: Timestamp;
};

export type ContactNotesTable = {
  id: Generated<string>;
  account_id: string;
  subject_id: string;
  body: Bytes;
  purpose: string;
  created_by: string;
  created_at: Timestamp;
};

export type UsersTable = {
  id: Generated<string>;
  account_id: string;
  subject_id: string;
  role: Role;
  login_bidx: Bytes;
  password_hash: string;
  totp_secret: Bytes | null;
  totp_enabled_at: Timestamp | null;
  status: ColumnType<'active' | 'disabled', 'active' | 'disabled' | undefined, 'active' | 'disabled'>;
  failed_sign_ins: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  created_at: Timestamp;
};

export type SessionsTable = {
  token_hash: Bytes;
  user_id: string;
  csrf_token: string;
  mfa_pending: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  expires_at: Timestamp;
};

export type AuditHeadsTable = { account_id: string; seq: string; hash: Bytes };

export type AuditEventsTable = {
  account_id: string;
  seq: string;
  occurred_at: Timestamp;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  subject_id: string | null;
  fields: string[];
  purpose: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
  prev_hash: Bytes;
  hash: Bytes;
};

export type PolicyVersionsTable = {
  version: number;
  policy_id: string;
  /** YYYY-MM-DD. */
  effective_date: string;
  content: string;
  sha256: string;
  material: boolean;
  summary: string;
  new_purposes: string[];
  published_at: Timestamp;
  published_by: string | null;
  notified: ColumnType<number, number | undefined, number>;
};

export type PolicyAgreementsTable = {
  id: Generated<string>;
  account_id: string;
  subject_id: string;
  purpose: string;
  version: number;
  agreed: boolean;
  recorded_at: Timestamp;
};

export type AccessLevel = 'none' | 'view' | 'act';
export type ItemKind = 'message' | 'post';
export type PostStatus = 'received' | 'awaiting_instruction' | 'forwarded' | 'collected' | 'scanned' | 'shredded';

export type AccountStatusHistoryTable = {
  id: Generated<string>;
  account_id: string;
  status: AccountStatus;
  changed_at: Timestamp;
  changed_by: string | null;
};

export type PhoneMessagesTable = {
  id: string;
  account_id: string;
  caller_subject_id: string;
  company: Bytes | null;
  reason: Bytes | null;
  body: Bytes;
  urgency: 'normal' | 'urgent';
  callback_requested: ColumnType<boolean, boolean | undefined, boolean>;
  call_at: Timestamp;
  taken_by: string;
  actioned_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  actioned_by: ColumnType<string | null, string | null | undefined, string | null>;
  idempotency_key: string | null;
  created_at: Timestamp;
};

export type PostItemsTable = {
  id: string;
  account_id: string;
  sender_subject_id: string | null;
  sender: Bytes;
  item_type: 'letter' | 'parcel' | 'recorded' | 'legal';
  tracking_number: Bytes | null;
  received_at: Timestamp;
  status: PostStatus;
  logged_by: string;
  actioned_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  actioned_by: ColumnType<string | null, string | null | undefined, string | null>;
  idempotency_key: string | null;
  created_at: Timestamp;
};

export type PostEventsTable = {
  id: Generated<string>;
  account_id: string;
  post_item_id: string;
  status: PostStatus;
  at: Timestamp;
  by_user: string;
};

export type StoredFilesTable = {
  id: string;
  account_id: string;
  owner_kind: 'post_item';
  owner_id: string;
  key_id: string;
  media_type: string;
  size_bytes: number;
  storage_key: string;
  created_at: Timestamp;
};

export type ItemSearchTermsTable = { account_id: string; item_kind: ItemKind; item_id: string; term: Bytes };

export type ItemReadsTable = {
  account_id: string;
  item_kind: ItemKind;
  item_id: string;
  user_id: string;
  read_at: Timestamp;
};

export type ColleagueAccessTable = {
  account_id: string;
  user_id: string;
  messages: AccessLevel;
  post: AccessLevel;
  updated_at: Timestamp;
};

export type ColleagueInvitationsTable = {
  id: string;
  account_id: string;
  subject_id: string;
  token_hash: Bytes;
  messages: AccessLevel;
  post: AccessLevel;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  created_at: Timestamp;
};

export type NotificationPreferencesTable = {
  account_id: string;
  user_id: string;
  mode: 'per_item' | 'daily_digest' | 'none';
  updated_at: Timestamp;
};

export type NotificationsTable = {
  id: string;
  account_id: string;
  item_kind: ItemKind | 'digest' | 'receipt';
  item_id: string | null;
  user_id: string;
  channel: 'email' | 'sms';
  status: 'queued' | 'sent' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  sent_at: Timestamp | null;
};

export type CallerVerificationsTable = {
  id: string;
  account_id: string;
  staff_user_id: string;
  client_user_id: string;
  factors: string[];
  outcome: 'pass' | 'fail';
  created_at: Timestamp;
};

export type MarketingChannel = 'email' | 'sms' | 'phone' | 'post' | 'fax' | 'social';

export type ConsentRecordsTable = {
  id: string;
  account_id: string;
  subject_id: string;
  channel: MarketingChannel;
  topic: string;
  state: 'given' | 'refused' | 'withdrawn';
  basis: 'consent' | 'soft_opt_in' | 'objection' | 'corporate_subscriber';
  method: string;
  notice_version: number;
  opt_out_offered: ColumnType<boolean, boolean | undefined, never>;
  actor_id: string | null;
  actor_role: string | null;
  recorded_at: Timestamp;
  seq: Generated<string>;
};

export type SuppressionListTable = {
  account_id: string;
  kind: 'email' | 'phone';
  hash: Bytes;
  reason: 'opt_out' | 'objection' | 'erasure' | 'unsubscribe';
  created_at: Timestamp;
};

export type CampaignsTable = {
  id: string;
  account_id: string;
  template: string;
  audience: string;
  status: 'queued' | 'sending' | 'done' | 'failed';
  total: ColumnType<number, number | undefined, number>;
  sent: ColumnType<number, number | undefined, number>;
  excluded: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type CampaignSendsTable = {
  campaign_id: string;
  account_id: string;
  subject_id: string;
  outcome: string;
  at: Timestamp;
};

export type CookieConsentsTable = {
  id: Generated<string>;
  account_id: string;
  consent_id: string;
  notice_version: number;
  granted: string[];
  refused: string[];
  gpc: boolean;
  method: 'accept_all' | 'reject_all' | 'custom' | 'gpc';
  recorded_at: Timestamp;
};

export const RIGHTS_REQUEST_KINDS = [
  'access',
  'portability',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'object_direct_marketing',
  'withdraw_consent',
] as const;
export type RightsRequestKind = (typeof RIGHTS_REQUEST_KINDS)[number];
export const RIGHTS_REQUEST_STATUSES = [
  'awaiting_verification',
  'received',
  'in_progress',
  'awaiting_clarification',
  'completed',
  'refused',
  'expired',
] as const;
export type RightsRequestStatus = (typeof RIGHTS_REQUEST_STATUSES)[number];
/** Verified and not yet answered: the statuses whose clock runs (or stands still for clarification). */
export const OPEN_RIGHTS_STATUSES: readonly RightsRequestStatus[] = [
  'received',
  'in_progress',
  'awaiting_clarification',
];
export type RightsRequestChannel = 'web' | 'portal' | 'phone' | 'email' | 'post';
export type VerificationMethod = 'email_code' | 'session' | 'phone' | 'document';
export type FeeStatus = 'none' | 'requested' | 'paid' | 'waived';
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type RightsRequestsTable = {
  id: string;
  account_id: string;
  parent_id: Nullable<string>;
  kind: RightsRequestKind;
  status: RightsRequestStatus;
  requester_email: Bytes;
  requester_email_bidx: Bytes;
  requester_name: Nullable<Bytes>;
  requester_phone: Nullable<Bytes>;
  details: Nullable<Bytes>;
  channel: RightsRequestChannel;
  verification_method: Nullable<VerificationMethod>;
  code_hash: Nullable<Bytes>;
  code_expires_at: Nullable<Date>;
  code_attempts: ColumnType<number, number | undefined, number>;
  status_token_hash: Bytes;
  status_token: Nullable<Bytes>;
  received_at: Timestamp;
  verified_at: Nullable<Date>;
  /** Civil dates (`YYYY-MM-DD`): the statutory clock counts days, not instants. */
  clock_start: Nullable<string>;
  due_on: Nullable<string>;
  extended: ColumnType<boolean, boolean | undefined, boolean>;
  fee_status: ColumnType<FeeStatus, FeeStatus | undefined, FeeStatus>;
  fee_pence: Nullable<number>;
  closed_at: Nullable<Date>;
  /** Sealed: what the person is told (kept records and their reasons, a refusal's reasons). */
  outcome: Nullable<Bytes>;
  reminders_sent: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: Timestamp;
};

export type RightsRequestEventsTable = {
  id: Generated<string>;
  account_id: string;
  request_id: string;
  event: string;
  at: Timestamp;
  actor_id: string | null;
  actor_role: string | null;
  reason: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
};

export type RightsRequestSubjectsTable = {
  request_id: string;
  account_id: string;
  subject_id: string;
  matched_by: string;
  outcome: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
};

export type LegalHoldBasis = 'legal_claims' | 'legal_obligation' | 'staff_hold';
export type LegalHoldsTable = {
  id: string;
  account_id: string;
  subject_id: string;
  basis: LegalHoldBasis;
  reason: string;
  review_on: string;
  placed_by: string | null;
  placed_at: Timestamp;
  lifted_by: Nullable<string>;
  lifted_at: Nullable<Date>;
};

export type AccessPackagesTable = {
  id: string;
  account_id: string;
  request_id: string;
  status: 'draft' | 'released' | 'deleted';
  size_bytes: number;
  created_at: Timestamp;
  released_at: Nullable<Date>;
  expires_at: Nullable<Date>;
  downloads: ColumnType<number, number | undefined, number>;
};

export type DB = {
  accounts: AccountsTable;
  subjects: SubjectsTable;
  subject_keys: SubjectKeysTable;
  erasure_ledger: ErasureLedgerTable;
  processing_controls: ProcessingControlsTable;
  contact_notes: ContactNotesTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
  account_status_history: AccountStatusHistoryTable;
  phone_messages: PhoneMessagesTable;
  post_items: PostItemsTable;
  post_events: PostEventsTable;
  stored_files: StoredFilesTable;
  item_search_terms: ItemSearchTermsTable;
  item_reads: ItemReadsTable;
  colleague_access: ColleagueAccessTable;
  colleague_invitations: ColleagueInvitationsTable;
  notification_preferences: NotificationPreferencesTable;
  notifications: NotificationsTable;
  caller_verifications: CallerVerificationsTable;
  policy_versions: PolicyVersionsTable;
  policy_agreements: PolicyAgreementsTable;
  consent_records: ConsentRecordsTable;
  suppression_list: SuppressionListTable;
  campaigns: CampaignsTable;
  campaign_sends: CampaignSendsTable;
  cookie_consents: CookieConsentsTable;
  rights_requests: RightsRequestsTable;
  rights_request_events: RightsRequestEventsTable;
  rights_request_subjects: RightsRequestSubjectsTable;
  legal_holds: LegalHoldsTable;
  access_packages: AccessPackagesTable;
};

/** The provider (the business running Custodian) is itself an account, so staff data is tenant-walled too. */
export const PROVIDER_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';
