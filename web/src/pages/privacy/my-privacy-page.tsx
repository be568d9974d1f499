/**
 * @module "My privacy" in the client portal: a signed-in owner or colleague exercises their own rights over what the
 * provider holds about them as a user. The session is the identity proof, so there is no code to enter; the answer
 * is a status link, also e-mailed, to the public status page.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api.ts';
import { useUser } from '../../session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { ChevronRightIcon, LockIcon, MailIcon, ShieldIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { privacyCenterApi, type RightKind, statusPath } from './privacy-center-api.ts';
import {
  DETAILS_MAX,
  DetailsField,
  describePeriod,
  fieldMessages,
  KIND_TITLES,
  RightChooser,
  RightChooserSkeleton,
  usePageTitle,
} from './rights-common.tsx';

type Sent = { kind: RightKind; statusToken: string };

export const MyPrivacyPage = () => {
  const user = useUser();
  const guide = useResource(() => privacyCenterApi.rights(), []);
  const [kind, setKind] = useState<RightKind | null>(null);
  const [details, setDetails] = useState('');
  const [chooseError, setChooseError] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  usePageTitle('My privacy · Custodian');

  useEffect(() => {
    if (sent) resultRef.current?.focus();
  }, [sent]);

  const business = guide.data?.business ?? 'your answering service';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!kind) {
      setChooseError('Choose what you would like to do.');
      return;
    }
    if (details.length > DETAILS_MAX) return;
    setBusy(true);
    setError(null);
    try {
      const result = await privacyCenterApi.submitOwn({
        kind,
        ...(details.trim() ? { details: details.trim() } : {}),
      });
      setSent({ kind, statusToken: result.statusToken });
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const startOver = (): void => {
    setSent(null);
    setKind(null);
    setDetails('');
    setError(null);
  };

  const fields = fieldMessages(error);
  const formError = error && Object.keys(fields).length === 0 ? error : null;

  return (
    <>
      <PageHeader
        title="My privacy"
        description={`Your rights over the personal data ${business} holds about you, ${user.displayName}, as a user of this portal.`}
      />
      <div className="privacy-grid">
        <div className="privacy-primary">
          {guide.status === 'error' ? <ErrorPanel error={guide.error} onRetry={guide.reload} /> : null}
          {sent ? (
            <Card>
              <div className="request-sent" ref={resultRef} tabIndex={-1}>
                <Alert tone="success" title="Your request is on its way">
                  We have your request to “{KIND_TITLES[sent.kind]}”. You are signed in, so there was no code to enter:
                  the time to answer starts today. We have also e-mailed you a link to follow it.
                </Alert>
                <div className="button-row">
                  <a className="btn btn-primary" href={statusPath(sent.statusToken)}>
                    <span>Follow your request</span>
                    <ChevronRightIcon size={16} />
                  </a>
                  <Button variant="ghost" onClick={startOver}>
                    Make another request
                  </Button>
                </div>
              </div>
            </Card>
          ) : guide.status !== 'error' ? (
            <Card title="Make a request" description="Choose what you would like us to do, then send it.">
              <form className="form-stack" onSubmit={submit} noValidate>
                {formError ? (
                  <Alert tone="danger" title="Could not send your request">
                    {formError.message}
                  </Alert>
                ) : null}
                {guide.data ? (
                  <RightChooser
                    kinds={guide.data.kinds}
                    value={kind}
                    onChange={(next) => {
                      setKind(next);
                      setChooseError(undefined);
                    }}
                    error={chooseError}
                    name="own-right"
                  />
                ) : (
                  <RightChooserSkeleton />
                )}
                <DetailsField kind={kind} value={details} onChange={setDetails} error={fields.details} />
                <div className="form-actions">
                  <Button
                    type="submit"
                    variant="primary"
                    busy={busy}
                    disabled={!guide.data}
                    icon={<MailIcon size={16} />}
                  >
                    Send request
                  </Button>
                </div>
              </form>
            </Card>
          ) : null}
        </div>
        <div className="privacy-aside">
          <Card title="How it works">
            <ul className="promise-list">
              <li className="promise">
                <LockIcon size={18} />
                <p>
                  <strong>No code needed.</strong> You are signed in, so we know it is you.
                </p>
              </li>
              <li className="promise">
                <ShieldIcon size={18} />
                <p>
                  <strong>
                    Answered within {guide.data ? describePeriod(guide.data.responsePeriod) : 'the legal time limit'}.
                  </strong>{' '}
                  You can follow every step on your request’s own page.
                </p>
              </li>
              <li className="promise">
                <MailIcon size={18} />
                <p>
                  <strong>About your callers?</strong> This page is for data about you. Requests from people who call or
                  write to your business are answered by your business’s owner.
                </p>
              </li>
            </ul>
          </Card>
          <p className="muted small-print">
            You can also read the full <a href="/privacy">privacy notice</a>.
          </p>
        </div>
      </div>
    </>
  );
};
