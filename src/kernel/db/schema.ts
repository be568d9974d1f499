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
};

/** The provider (the business running Custodian) is itself an account, so staff data is tenant-walled too. */
export const PROVIDER_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';
