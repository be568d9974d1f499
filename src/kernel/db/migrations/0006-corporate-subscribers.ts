/**
 * Consent records may carry the PECR corporate-subscriber basis: the address was identified as a corporate
 * subscriber's (company, LLP, Scottish partnership, public body) when it was collected, and an opt-out was offered.
 */
export const corporateSubscribersMigration = {
  name: '0006-corporate-subscribers',
  up: /* sql */ `
ALTER TABLE consent_records DROP CONSTRAINT consent_records_basis_check;
ALTER TABLE consent_records ADD CONSTRAINT consent_records_basis_check
  CHECK (basis IN ('consent', 'soft_opt_in', 'objection', 'corporate_subscriber'));
`,
};
