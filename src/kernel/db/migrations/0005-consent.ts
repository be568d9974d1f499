/**
 * Consent records (ISO/IEC TS 27560 shape, append-only), the marketing suppression list, campaigns and their
 * per-recipient outcomes, and the website's cookie-consent log.
 *
 * The suppression list belongs to the business that markets (the provider), whichever client account a person was
 * held in: it lives in the provider's tenant, and other tenants reach it only through two narrow SECURITY DEFINER
 * functions, one that adds keyed hashes and one that answers whether any of the given hashes is listed. Neither can
 * read the list, so the tenant wall stays closed for everything else.
 */
export const consentMigration = {
  name: '0005-consent',
  up: /* sql */ `
CREATE TABLE consent_records (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  -- No foreign key: a record outlives the person's erasure as ids-only evidence, like the audit trail.
  subject_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'post', 'fax', 'social')),
  topic text NOT NULL,
  state text NOT NULL CHECK (state IN ('given', 'refused', 'withdrawn')),
  basis text NOT NULL CHECK (basis IN ('consent', 'soft_opt_in', 'objection')),
  method text NOT NULL,
  notice_version integer NOT NULL,
  opt_out_offered boolean NOT NULL DEFAULT false,
  actor_id uuid,
  actor_role text,
  recorded_at timestamptz NOT NULL,
  -- Orders records made within the same instant (a batch, a fixed test clock).
  seq bigserial NOT NULL
);
CREATE INDEX consent_records_latest ON consent_records (account_id, subject_id, channel, topic, recorded_at DESC, seq DESC);

CREATE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_records is append-only';
END $$;
CREATE TRIGGER consent_records_no_update BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_append_only();

-- No foreign key on account_id: an erasure must never fail because the provider's own row is not there yet.
CREATE TABLE suppression_list (
  account_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('email', 'phone')),
  hash bytea NOT NULL,
  reason text NOT NULL CHECK (reason IN ('opt_out', 'objection', 'erasure', 'unsubscribe')),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, kind, hash)
);

CREATE FUNCTION suppress_hash(p_kind text, p_hash bytea, p_reason text, p_at timestamptz) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO suppression_list (account_id, kind, hash, reason, created_at)
  VALUES ('00000000-0000-4000-8000-000000000000', p_kind, p_hash, p_reason, p_at)
  ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION is_suppressed(p_hashes bytea[]) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM suppression_list
                 WHERE account_id = '00000000-0000-4000-8000-000000000000' AND hash = ANY (p_hashes))
$$;
-- A person giving consent afresh lifts their own opt-out; an erasure or an objection is never lifted this way.
CREATE FUNCTION unsuppress_opt_out(p_hashes bytea[]) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  DELETE FROM suppression_list WHERE account_id = '00000000-0000-4000-8000-000000000000'
    AND hash = ANY (p_hashes) AND reason IN ('opt_out', 'unsubscribe')
$$;
REVOKE ALL ON FUNCTION unsuppress_opt_out(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unsuppress_opt_out(bytea[]) TO custodian_app;
REVOKE ALL ON FUNCTION suppress_hash(text, bytea, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION is_suppressed(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION suppress_hash(text, bytea, text, timestamptz) TO custodian_app;
GRANT EXECUTE ON FUNCTION is_suppressed(bytea[]) TO custodian_app;

CREATE TABLE campaigns (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  template text NOT NULL,
  audience text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'sending', 'done', 'failed')),
  total integer NOT NULL DEFAULT 0,
  sent integer NOT NULL DEFAULT 0,
  excluded integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);

CREATE TABLE campaign_sends (
  campaign_id uuid NOT NULL REFERENCES campaigns (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject_id uuid NOT NULL,
  outcome text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, subject_id)
);
CREATE INDEX campaign_sends_account ON campaign_sends (account_id, campaign_id);

-- The website's cookie choices: a random id the browser keeps, never a person, IP address or user agent.
CREATE TABLE cookie_consents (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  consent_id uuid NOT NULL,
  notice_version integer NOT NULL,
  granted text[] NOT NULL,
  refused text[] NOT NULL,
  gpc boolean NOT NULL,
  method text NOT NULL CHECK (method IN ('accept_all', 'reject_all', 'custom', 'gpc')),
  recorded_at timestamptz NOT NULL
);
CREATE INDEX cookie_consents_id ON cookie_consents (account_id, consent_id, recorded_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['consent_records', 'suppression_list', 'campaigns', 'campaign_sends', 'cookie_consents'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (account_id = app_account_id()) WITH CHECK (account_id = app_account_id())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT ON consent_records, cookie_consents TO custodian_app;
GRANT SELECT, INSERT, DELETE ON suppression_list TO custodian_app;
GRANT SELECT, INSERT, UPDATE ON campaigns, campaign_sends TO custodian_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO custodian_app;
`,
};
