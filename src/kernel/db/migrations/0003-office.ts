/**
 * The virtual office: phone messages taken and post received on a client's behalf (AS-1), who of the client's
 * colleagues may see or act on them (AS-2), notifications and their delivery, and the account's lifecycle dates
 * (retention clocks run from them). Every personal value is sealed: message fields under the caller's key, post
 * fields and scans under the item's own key (key id = item id), so deleting everything is destroying keys.
 */
export const officeMigration = {
  name: '0003-office',
  up: /* sql */ `
ALTER TABLE accounts
  ADD COLUMN trial_started_at timestamptz,
  ADD COLUMN subscribed_at timestamptz,
  ADD COLUMN cancelled_at timestamptz,
  ADD COLUMN deactivated_at timestamptz;

CREATE TABLE account_status_history (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  status text NOT NULL,
  changed_at timestamptz NOT NULL,
  changed_by uuid
);

CREATE TABLE phone_messages (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  caller_subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  company bytea,
  reason bytea,
  body bytea NOT NULL,
  urgency text NOT NULL CHECK (urgency IN ('normal', 'urgent')),
  callback_requested boolean NOT NULL DEFAULT false,
  call_at timestamptz NOT NULL,
  taken_by uuid NOT NULL,
  actioned_at timestamptz,
  actioned_by uuid,
  idempotency_key text,
  created_at timestamptz NOT NULL
);
CREATE INDEX phone_messages_account_time ON phone_messages (account_id, call_at DESC);
CREATE INDEX phone_messages_caller ON phone_messages (account_id, caller_subject_id);
CREATE UNIQUE INDEX phone_messages_idempotency ON phone_messages (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE post_items (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  sender_subject_id uuid REFERENCES subjects (id) ON DELETE SET NULL,
  sender bytea NOT NULL,
  item_type text NOT NULL CHECK (item_type IN ('letter', 'parcel', 'recorded', 'legal')),
  tracking_number bytea,
  received_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('received', 'awaiting_instruction', 'forwarded', 'collected', 'scanned', 'shredded')),
  logged_by uuid NOT NULL,
  actioned_at timestamptz,
  actioned_by uuid,
  idempotency_key text,
  created_at timestamptz NOT NULL
);
CREATE INDEX post_items_account_time ON post_items (account_id, received_at DESC);
CREATE UNIQUE INDEX post_items_idempotency ON post_items (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE post_events (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  post_item_id uuid NOT NULL REFERENCES post_items (id) ON DELETE CASCADE,
  status text NOT NULL,
  at timestamptz NOT NULL,
  by_user uuid NOT NULL
);
CREATE INDEX post_events_item ON post_events (account_id, post_item_id, at);

-- Scans and photos: the bytes live in DATA_DIR/files or S3, sealed under the owning item's key.
CREATE TABLE stored_files (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  owner_kind text NOT NULL CHECK (owner_kind IN ('post_item')),
  owner_id uuid NOT NULL,
  key_id uuid NOT NULL,
  media_type text NOT NULL,
  size_bytes integer NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX stored_files_owner ON stored_files (account_id, owner_kind, owner_id);

-- Full-text search over sealed values: keyed hashes of each normalised word, scoped to the account.
CREATE TABLE item_search_terms (
  account_id uuid NOT NULL REFERENCES accounts (id),
  item_kind text NOT NULL CHECK (item_kind IN ('message', 'post')),
  item_id uuid NOT NULL,
  term bytea NOT NULL
);
CREATE INDEX item_search_terms_lookup ON item_search_terms (account_id, term);
CREATE INDEX item_search_terms_item ON item_search_terms (account_id, item_kind, item_id);

CREATE TABLE item_reads (
  account_id uuid NOT NULL REFERENCES accounts (id),
  item_kind text NOT NULL CHECK (item_kind IN ('message', 'post')),
  item_id uuid NOT NULL,
  user_id uuid NOT NULL,
  read_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, item_kind, item_id, user_id)
);

-- AS-2: per colleague, separately for phone messages and for post. Owners always have 'act'.
CREATE TABLE colleague_access (
  account_id uuid NOT NULL REFERENCES accounts (id),
  user_id uuid NOT NULL,
  messages text NOT NULL DEFAULT 'none' CHECK (messages IN ('none', 'view', 'act')),
  post text NOT NULL DEFAULT 'none' CHECK (post IN ('none', 'view', 'act')),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, user_id)
);

CREATE TABLE colleague_invitations (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  messages text NOT NULL CHECK (messages IN ('none', 'view', 'act')),
  post text NOT NULL CHECK (post IN ('none', 'view', 'act')),
  invited_by uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  created_at timestamptz NOT NULL
);

CREATE TABLE notification_preferences (
  account_id uuid NOT NULL REFERENCES accounts (id),
  user_id uuid NOT NULL,
  mode text NOT NULL CHECK (mode IN ('per_item', 'daily_digest', 'none')),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, user_id)
);

-- Every notification attempt, so the receptionist sees whether an urgent message reached the client.
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  item_kind text NOT NULL CHECK (item_kind IN ('message', 'post', 'digest', 'receipt')),
  item_id uuid,
  user_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  status text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX notifications_item ON notifications (account_id, item_kind, item_id);

-- CP-2: a staff member checking, by phone, that a caller is the client user they say they are. Outcome and factor
-- names only, never the answers; account details are shown only within minutes of a pass.
CREATE TABLE caller_verifications (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  staff_user_id uuid NOT NULL,
  client_user_id uuid NOT NULL,
  factors text[] NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('pass', 'fail')),
  created_at timestamptz NOT NULL
);
CREATE INDEX caller_verifications_lookup ON caller_verifications (account_id, staff_user_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['account_status_history', 'phone_messages', 'post_items', 'post_events', 'stored_files',
                           'item_search_terms', 'item_reads', 'colleague_access', 'colleague_invitations',
                           'notification_preferences', 'notifications', 'caller_verifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (account_id = app_account_id()) WITH CHECK (account_id = app_account_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO custodian_app', t);
  END LOOP;
END $$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO custodian_app;

-- Keyset paging in (time, id) order, for the portal's timeline and for exports of a whole account: without the id
-- in the index every page of a 190 000-item export re-sorts the account.
CREATE INDEX phone_messages_account_time_id ON phone_messages (account_id, call_at, id);
CREATE INDEX post_items_account_time_id ON post_items (account_id, received_at, id);
`,
};
