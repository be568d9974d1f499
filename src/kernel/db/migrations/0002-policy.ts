/**
 * Published versions of the privacy notice (the policy file's text, kept forever so `/privacy/v/N` can show it and
 * its diff) and each person's answer to a purpose a later version added. Agreements are client data: RLS applies.
 */
export const policyMigration = {
  name: '0002-policy',
  up: /* sql */ `
CREATE TABLE policy_versions (
  version integer PRIMARY KEY,
  policy_id text NOT NULL,
  effective_date text NOT NULL CHECK (effective_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  content text NOT NULL,
  sha256 text NOT NULL,
  material boolean NOT NULL,
  summary text NOT NULL,
  new_purposes text[] NOT NULL DEFAULT '{}',
  published_at timestamptz NOT NULL,
  published_by uuid,
  notified integer NOT NULL DEFAULT 0
);
GRANT SELECT ON policy_versions TO custodian_app;

CREATE TABLE policy_agreements (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  purpose text NOT NULL,
  version integer NOT NULL,
  agreed boolean NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX policy_agreements_subject ON policy_agreements (account_id, subject_id, purpose, recorded_at);
ALTER TABLE policy_agreements ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_agreements USING (account_id = app_account_id()) WITH CHECK (account_id = app_account_id());
GRANT SELECT, INSERT, DELETE ON policy_agreements TO custodian_app;
GRANT USAGE ON SEQUENCE policy_agreements_id_seq TO custodian_app;
`,
};
