/**
 * The kernel's tables. Every table holding client data carries `account_id` and a row-level security policy
 * comparing it with `app.account_id` (the owner role, used only by the system scope, is exempt); the provider itself is the account `PROVIDER_ACCOUNT_ID`, so staff data
 * is walled off the same way. Personal values are only ever stored as ciphertext (`bytea`) or blind index.
 */
export const kernelMigration = {
  name: '0001-kernel',
  up: /* sql */ `
DO $$ BEGIN
  CREATE ROLE custodian_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$ BEGIN
  EXECUTE format('GRANT custodian_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO custodian_app;

CREATE FUNCTION app_account_id() RETURNS uuid LANGUAGE sql STABLE AS
  $f$ SELECT nullif(current_setting('app.account_id', true), '')::uuid $f$;

CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('provider', 'client')),
  name text NOT NULL,
  status text NOT NULL DEFAULT 'trial' CHECK (status IN ('trial', 'subscribed', 'cancelled', 'deactivated')),
  created_at timestamptz NOT NULL,
  status_changed_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX accounts_one_provider ON accounts (kind) WHERE kind = 'provider';
GRANT SELECT ON accounts TO custodian_app;

CREATE TABLE subjects (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  kind text NOT NULL CHECK (kind IN ('client_user', 'staff', 'caller', 'sender', 'subscriber', 'visitor', 'contact')),
  name bytea,
  email bytea,
  phone bytea,
  name_bidx bytea,
  email_bidx bytea,
  phone_bidx bytea,
  source text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX subjects_email_bidx ON subjects (account_id, email_bidx);
CREATE INDEX subjects_phone_bidx ON subjects (account_id, phone_bidx);
CREATE INDEX subjects_name_bidx ON subjects (account_id, name_bidx);

CREATE TABLE subject_keys (
  subject_id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  kek_id text NOT NULL,
  wrapped bytea NOT NULL,
  created_at timestamptz NOT NULL
);

-- What erasure leaves behind: ids only, so a restored backup can be erased again.
CREATE TABLE erasure_ledger (
  subject_id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  erased_at timestamptz NOT NULL,
  reason text NOT NULL
);

CREATE TABLE processing_controls (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('restriction', 'objection', 'consent')),
  purpose text,
  active boolean NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX processing_controls_subject ON processing_controls (account_id, subject_id, kind, purpose, recorded_at);

CREATE TABLE contact_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  body bytea NOT NULL,
  purpose text NOT NULL,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX contact_notes_subject ON contact_notes (account_id, subject_id, created_at);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'receptionist', 'mailroom', 'billing', 'support', 'privacy_officer', 'owner', 'colleague')),
  login_bidx bytea NOT NULL UNIQUE,
  password_hash text NOT NULL,
  totp_secret bytea,
  totp_enabled_at timestamptz,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failed_sign_ins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL
);

CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  mfa_pending boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_heads (
  account_id uuid PRIMARY KEY REFERENCES accounts (id),
  seq bigint NOT NULL,
  hash bytea NOT NULL
);

CREATE TABLE audit_events (
  account_id uuid NOT NULL REFERENCES accounts (id),
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_id uuid,
  actor_role text,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  subject_id uuid,
  fields text[] NOT NULL DEFAULT '{}',
  purpose text,
  details jsonb NOT NULL DEFAULT '{}',
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (account_id, seq)
);
CREATE INDEX audit_events_subject ON audit_events (account_id, subject_id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END $f$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['subjects', 'subject_keys', 'erasure_ledger', 'processing_controls', 'contact_notes',
                           'audit_heads', 'audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (account_id = app_account_id()) WITH CHECK (account_id = app_account_id())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON subjects, subject_keys, processing_controls, contact_notes, audit_heads TO custodian_app;
GRANT SELECT, INSERT ON erasure_ledger, audit_events TO custodian_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO custodian_app;
`,
};
