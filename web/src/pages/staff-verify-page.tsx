import { type FormEvent, useEffect, useState } from 'react';
import type { Account, ApiError } from '../api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import {
  type AccountDetails,
  officeApi,
  type VerificationResult,
  type VerificationSetup,
} from '../staff-office-api.ts';
import { Alert } from '../ui/alert.tsx';
import { Button } from '../ui/button.tsx';
import { Card } from '../ui/card.tsx';
import { Field, Input, Select } from '../ui/field.tsx';
import { ShieldIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { asApiError } from '../use-resource.ts';
import { ErrorPanel } from './error-panel.tsx';
import { ClientPicker } from './staff-client-picker.tsx';

/** CP-2: verify a client user on the phone before saying anything about their account. */
export const StaffVerifyPage = () => {
  const [client, setClient] = useState<Account | null>(null);
  const [setup, setSetup] = useState<VerificationSetup | null>(null);
  const [userId, setUserId] = useState('');
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [result, setResult] = useState<VerificationResult | null>(null);
  const [details, setDetails] = useState<AccountDetails | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Verify a caller · Custodian';
  }, []);

  useEffect(() => {
    setSetup(null);
    setResult(null);
    setDetails(null);
    setUserId('');
    if (!client) return;
    officeApi.verificationSetup(client.id).then(setSetup, (caught: unknown) => setError(asApiError(caught)));
  }, [client]);

  const verify = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!client || !userId) return;
    setBusy(true);
    setError(null);
    setDetails(null);
    try {
      const outcome = await officeApi.verify(client.id, userId, answers);
      setResult(outcome);
      setAnswers({});
      if (outcome.outcome === 'pass') setDetails(await officeApi.accountDetails(client.id, outcome.verificationId));
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Verify a caller"
        description="Before telling a caller anything about their account, check who they are."
      />
      <div className="office-grid">
        <Card
          title="Identity check"
          id="identity-check"
          description="Ask for each item; never read out what is on file."
        >
          {error ? <ErrorPanel error={error} /> : null}
          <form className="form-stack" onSubmit={verify} noValidate aria-label="Verify a caller">
            <ClientPicker value={client} onChange={setClient} autoFocus />
            {setup ? (
              <>
                <Field label="Who is calling">
                  {(control) => (
                    <Select {...control} name="clientUser" value={userId} onChange={(e) => setUserId(e.target.value)}>
                      <option value="">Choose a user of this client</option>
                      {setup.users.map((u) => (
                        <option key={u.userId} value={u.userId}>
                          {u.name ?? 'Unnamed'} ({u.role})
                        </option>
                      ))}
                    </Select>
                  )}
                </Field>
                {setup.factors.map((factor) => (
                  <Field
                    key={factor.id}
                    label={factor.label}
                    hint="As the caller says it; compared without being shown."
                  >
                    {(control) => (
                      <Input
                        {...control}
                        name={`factor-${factor.id}`}
                        type={factor.id === 'email' ? 'email' : 'tel'}
                        autoComplete="off"
                        value={answers[factor.id] ?? ''}
                        onChange={(e) => setAnswers((a) => ({ ...a, [factor.id]: e.target.value }))}
                      />
                    )}
                  </Field>
                ))}
                <div className="form-actions">
                  <Button
                    type="submit"
                    variant="primary"
                    icon={<ShieldIcon size={16} />}
                    busy={busy}
                    disabled={!userId}
                  >
                    Check identity
                  </Button>
                </div>
              </>
            ) : null}
          </form>
        </Card>
        <div className="office-side">
          {setup ? (
            <Card title="What the policy says" id="policy-says">
              <ul className="earlier-list">
                {setup.policyText.map((text) => (
                  <li key={text} className="earlier-item">
                    {text}
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
          {result?.outcome === 'fail' ? (
            <Alert tone="danger" title="Not verified">
              <p>
                The answers do not match what is on file. Do not disclose anything; offer to e-mail the registered
                address instead.
              </p>
            </Alert>
          ) : null}
          {details ? (
            <Card
              title="Account details"
              id="account-details"
              description={`Verified until ${formatDateTime(details.verifiedUntil)}`}
            >
              <dl className="detail-list">
                <dt>Business</dt>
                <dd>{details.account.name}</dd>
                <dt>Status</dt>
                <dd>{details.account.status}</dd>
                <dt>Client since</dt>
                <dd>{formatDate(details.account.createdAt)}</dd>
                <dt>Caller</dt>
                <dd>
                  {details.caller.name} ({details.caller.role})
                </dd>
                <dt>Messages held</dt>
                <dd>{details.counts.messages}</dd>
                <dt>Post items held</dt>
                <dd>{details.counts.post}</dd>
              </dl>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
};
