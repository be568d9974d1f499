/**
 * Rights requests (GDPR Arts 12–22): the person's request, its history (every transition with actor and reason,
 * from which the statutory clock is recomputed), the people it covers in each account, the parts routed to client
 * businesses that control the data (CC-11), legal holds that keep data from erasure, and access packages.
 *
 * A request is answered by one account: the provider for its own (controller) data, a client for a routed part,
 * which lives in the client's tenant with `parent_id` pointing at the person's request. The requester's address is
 * sealed under a key of the request's own (key id = request id), so purging an unverified request shreds it.
 */
export const rightsMigration = {
  name: '0004-rights',
  up: /* sql */ `
CREATE TABLE rights_requests (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  parent_id uuid REFERENCES rights_requests (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('access', 'portability', 'rectification', 'erasure', 'restriction', 'objection',
                                     'object_direct_marketing', 'withdraw_consent')),
  status text NOT NULL CHECK (status IN ('awaiting_verification', 'received', 'in_progress', 'awaiting_clarification',
                                         'completed', 'refused', 'expired')),
  requester_email bytea NOT NULL,
  requester_email_bidx bytea NOT NULL,
  requester_name bytea,
  requester_phone bytea,
  details bytea,
  channel text NOT NULL CHECK (channel IN ('web', 'portal', 'phone', 'email', 'post')),
  verification_method text CHECK (verification_method IN ('email_code', 'session', 'phone', 'document')),
  code_hash bytea,
  code_expires_at timestamptz,
  code_attempts integer NOT NULL DEFAULT 0,
  status_token_hash bytea NOT NULL UNIQUE,
  -- The same token sealed, so later e-mails (an extension, the answer) can carry the link again.
  status_token bytea,
  received_at timestamptz NOT NULL,
  verified_at timestamptz,
  -- Civil dates as YYYY-MM-DD text: the clock counts calendar days in one jurisdiction, never instants, and text
  -- reads back the same through every driver.
  clock_start text CHECK (clock_start ~ '^\\d{4}-\\d{2}-\\d{2}$'),
  due_on text CHECK (due_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
  extended boolean NOT NULL DEFAULT false,
  fee_status text NOT NULL DEFAULT 'none' CHECK (fee_status IN ('none', 'requested', 'paid', 'waived')),
  fee_pence integer,
  closed_at timestamptz,
  outcome bytea,
  reminders_sent text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL
);
CREATE INDEX rights_requests_queue ON rights_requests (account_id, status, due_on);
-- One routed part per client business: routing can be retried after a crash without doubling anything.
CREATE UNIQUE INDEX rights_requests_part ON rights_requests (parent_id, account_id) WHERE parent_id IS NOT NULL;
CREATE INDEX rights_requests_requester ON rights_requests (account_id, requester_email_bidx);

-- Every transition: who, when, which event, and a reason code or text (never a personal value: free text the
-- person wrote stays sealed on the request).
CREATE TABLE rights_request_events (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  request_id uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
  event text NOT NULL,
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_role text,
  reason text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX rights_request_events_request ON rights_request_events (account_id, request_id, at, id);

-- The people a request covers in the answering account, found by blind index after verification.
CREATE TABLE rights_request_subjects (
  request_id uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  matched_by text NOT NULL,
  outcome jsonb,
  PRIMARY KEY (request_id, subject_id)
);

-- Data kept from erasure on purpose: legal claims, a legal obligation, or a hold staff placed with a reason.
CREATE TABLE legal_holds (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  basis text NOT NULL CHECK (basis IN ('legal_claims', 'legal_obligation', 'staff_hold')),
  reason text NOT NULL,
  review_on text NOT NULL CHECK (review_on ~ '^\\d{4}-\\d{2}-\\d{2}$'),
  placed_by uuid,
  placed_at timestamptz NOT NULL,
  lifted_by uuid,
  lifted_at timestamptz
);
CREATE INDEX legal_holds_subject ON legal_holds (account_id, subject_id) WHERE lifted_at IS NULL;

-- Access and portability packages: sealed bytes in file storage (key id = package id), fetched with the request's
-- status link until they expire; then the bytes and the key are deleted.
CREATE TABLE access_packages (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  request_id uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('draft', 'released', 'deleted')),
  size_bytes integer NOT NULL,
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  expires_at timestamptz,
  downloads integer NOT NULL DEFAULT 0
);
CREATE INDEX access_packages_request ON access_packages (account_id, request_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rights_requests', 'rights_request_events', 'rights_request_subjects', 'legal_holds',
                           'access_packages'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (account_id = app_account_id()) WITH CHECK (account_id = app_account_id())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON rights_requests, rights_request_subjects, legal_holds, access_packages TO custodian_app;
GRANT SELECT, INSERT ON rights_request_events TO custodian_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO custodian_app;
`,
};
