/**
 * @module The public privacy center (/privacy/requests): choose a right, say who you are, prove the address with the
 * e-mailed code, then land on the request's status page. No sign-in and no app shell: anyone may ask.
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api.ts';
import { navigate } from '../../router.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { Field, Input } from '../../ui/field.tsx';
import { ArrowLeftIcon, ChevronRightIcon, MailIcon } from '../../ui/icons.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { privacyCenterApi, type RightKind, type RightsGuide, statusPath } from './privacy-center-api.ts';
import {
  DETAILS_MAX,
  DetailsField,
  describePeriod,
  fieldMessages,
  PublicLayout,
  RightChooser,
  RightChooserSkeleton,
  usePageTitle,
} from './rights-common.tsx';

type Step = 'choose' | 'details' | 'code';

const STEPS: { id: Step; label: string }[] = [
  { id: 'choose', label: 'Choose a right' },
  { id: 'details', label: 'Your details' },
  { id: 'code', label: 'Confirm it is you' },
];

type Person = { email: string; name: string; phone: string; details: string };

type Pending = { requestId: string; codeExpiresAt: string; email: string };

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A link may name the right up front (/privacy/requests?kind=erasure), e.g. from an e-mail footer. */
const kindFromUrl = (kinds: readonly string[]): RightKind | null => {
  const kind = new URLSearchParams(window.location.search).get('kind');
  return kind && kinds.includes(kind) ? (kind as RightKind) : null;
};

const Steps = ({ current }: { current: Step }) => {
  const at = STEPS.findIndex((s) => s.id === current);
  return (
    <nav aria-label="Progress" className="steps">
      <ol>
        {STEPS.map((step, index) => (
          <li
            key={step.id}
            className={index < at ? 'step step-done' : index === at ? 'step step-current' : 'step'}
            aria-current={index === at ? 'step' : undefined}
          >
            <span className="step-number" aria-hidden="true">
              {index + 1}
            </span>
            <span className="step-label">
              {step.label}
              {index < at ? <span className="visually-hidden"> (done)</span> : null}
            </span>
          </li>
        ))}
      </ol>
    </nav>
  );
};

/** What to expect, in the notice's own terms: how long, how identity is checked, what it costs, where to complain. */
const WhatToExpect = ({ guide }: { guide: RightsGuide }) => (
  <Card title="What to expect" className="expect-card">
    <dl className="expect-list">
      <div>
        <dt>How long it takes</dt>
        <dd>
          We answer within {describePeriod(guide.responsePeriod)} of confirming it is you. If a request is complex we
          may need longer; we would tell you why within that time.
        </dd>
      </div>
      <div>
        <dt>Checking it is you</dt>
        <dd>
          We e-mail a 6-digit code to the address you give. Nothing is looked up until you enter it, so no one can use
          this form to learn about you.
          {guide.identity.length ? (
            <ul className="expect-notes">
              {guide.identity.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>Cost</dt>
        <dd>
          {guide.fees.firstCopyFree ? 'Free. The first copy of your data is always free. ' : ''}
          {guide.fees.furtherCopies}
        </dd>
      </div>
      {guide.processorRequests ? (
        <div>
          <dt>Phone messages and post</dt>
          <dd>{guide.processorRequests}</dd>
        </div>
      ) : null}
      <div>
        <dt>Not happy?</dt>
        <dd>
          You can complain to{' '}
          <a href={guide.complaint.web} rel="noreferrer" target="_blank">
            {guide.complaint.authority}
          </a>
          .
        </dd>
      </div>
    </dl>
  </Card>
);

export const PrivacyRequestPage = () => {
  const guide = useResource(() => privacyCenterApi.rights(), []);
  const [step, setStep] = useState<Step>('choose');
  const [kind, setKind] = useState<RightKind | null>(null);
  const [chooseError, setChooseError] = useState<string | undefined>();
  const [person, setPerson] = useState<Person>({ email: '', name: '', phone: '', details: '' });
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [resent, setResent] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const firstStep = useRef(true);

  const business = guide.data?.business ?? (guide.status === 'error' ? null : undefined);
  usePageTitle(business ? `Your privacy rights · ${business}` : 'Your privacy rights');

  // A preselected right from the link, once the guide says which rights exist.
  useEffect(() => {
    if (guide.data && kind === null) {
      const preset = kindFromUrl(guide.data.kinds.map((k) => k.kind));
      if (preset) setKind(preset);
    }
  }, [guide.data, kind]);

  // Each new step moves focus to its heading, so keyboard and screen-reader users start at the new content.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a step change only
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const set = (field: keyof Person) => (value: string) => {
    setPerson((p) => ({ ...p, [field]: value }));
    setLocalErrors((errors) => ({ ...errors, [field]: '' }));
  };

  const chooseNext = (event: FormEvent): void => {
    event.preventDefault();
    if (!kind) {
      setChooseError('Choose what you would like to do.');
      return;
    }
    setChooseError(undefined);
    setStep('details');
  };

  const sendRequest = async (): Promise<void> => {
    if (!kind) return;
    const email = person.email.trim();
    const errors: Record<string, string> = {};
    if (!email) errors.email = 'Enter your e-mail address.';
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = 'Enter an e-mail address like name@example.com.';
    if (person.details.length > DETAILS_MAX) errors.details = `Please shorten this to ${DETAILS_MAX} characters.`;
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setSubmitError(null);
    try {
      const result = await privacyCenterApi.submit({
        kind,
        email,
        ...(person.name.trim() ? { name: person.name.trim() } : {}),
        ...(person.phone.trim() ? { phone: person.phone.trim() } : {}),
        ...(person.details.trim() ? { details: person.details.trim() } : {}),
      });
      setPending({ ...result, email });
      setResent(step === 'code');
      setCode('');
      setCodeError(null);
      setStep('code');
    } catch (caught) {
      setSubmitError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const submitDetails = (event: FormEvent): void => {
    event.preventDefault();
    void sendRequest();
  };

  const submitCode = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!pending || code.length !== 6) return;
    setBusy(true);
    setCodeError(null);
    try {
      const { statusToken } = await privacyCenterApi.verify(pending.requestId, code);
      navigate(statusPath(statusToken), { replace: true });
    } catch (caught) {
      setCodeError(asApiError(caught));
      setCode('');
      // The Confirm button is disabled again once the field empties, so focus would be lost: put it back on the field.
      window.setTimeout(() => codeRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const backToDetails = (): void => {
    setPending(null);
    setResent(false);
    setCodeError(null);
    setStep('details');
  };

  const serverFields = fieldMessages(submitError);
  const fieldError = (name: string): string | undefined => localErrors[name] || serverFields[name] || undefined;
  const formError = submitError && Object.keys(serverFields).length === 0 ? submitError : null;

  const codeReason = codeError?.details.reason;
  const attemptsLeft = Number(codeError?.details.attemptsLeft);
  // An expired code, or too many wrong ones, closes the request: the only way on is a new code.
  const codeDead =
    codeReason === 'code_expired' || codeReason === 'too_many_attempts' || codeError?.code === 'CONFLICT';
  const codeFieldError =
    codeReason === 'wrong_code'
      ? `${codeError?.message} ${attemptsLeft === 1 ? '1 attempt left.' : `${attemptsLeft} attempts left.`}`
      : codeError && !codeDead && codeError.fieldErrors['body.code']
        ? 'Enter the six digits from the e-mail.'
        : undefined;
  const codeFormError = codeError && !codeDead && !codeFieldError ? codeError : null;

  const chosen = guide.data?.kinds.find((k) => k.kind === kind);

  let content: ReactNode;
  if (guide.status === 'error') {
    content = <ErrorPanel error={guide.error} onRetry={guide.reload} />;
  } else if (step === 'choose' || !guide.data) {
    content = (
      <Card>
        <form className="form-stack" onSubmit={chooseNext} noValidate>
          <h2 className="step-title" ref={headingRef} tabIndex={-1}>
            What would you like to do?
          </h2>
          {guide.data ? (
            <RightChooser
              kinds={guide.data.kinds}
              value={kind}
              onChange={(next) => {
                setKind(next);
                setChooseError(undefined);
              }}
              error={chooseError}
            />
          ) : (
            <RightChooserSkeleton />
          )}
          <div className="form-actions">
            <Button type="submit" variant="primary" disabled={!guide.data} icon={<ChevronRightIcon size={16} />}>
              Continue
            </Button>
          </div>
        </form>
      </Card>
    );
  } else if (step === 'details') {
    content = (
      <Card>
        <form className="form-stack" onSubmit={submitDetails} noValidate>
          <h2 className="step-title" ref={headingRef} tabIndex={-1}>
            Your details
          </h2>
          <div className="chosen-right">
            <div>
              <p className="chosen-right-label">You are asking to</p>
              <p className="chosen-right-title">{chosen?.title}</p>
            </div>
            <Button size="sm" variant="ghost" icon={<ArrowLeftIcon size={16} />} onClick={() => setStep('choose')}>
              Change
            </Button>
          </div>
          {formError ? (
            <Alert tone="danger" title={formError.code === 'RATE_LIMITED' ? 'Too many requests' : 'Could not send'}>
              {formError.code === 'RATE_LIMITED'
                ? 'Too many requests from here in a short time. Please wait a minute and try again.'
                : formError.message}
            </Alert>
          ) : null}
          <Field
            label="E-mail address"
            error={fieldError('email')}
            hint="We send a code here to check it is you, and we answer you here."
          >
            {(control) => (
              <Input
                {...control}
                type="email"
                name="email"
                autoComplete="email"
                required
                value={person.email}
                onChange={(e) => set('email')(e.target.value)}
              />
            )}
          </Field>
          <div className="form-row">
            <Field label="Full name" optional error={fieldError('name')} hint="Helps us find your data.">
              {(control) => (
                <Input
                  {...control}
                  name="name"
                  autoComplete="name"
                  value={person.name}
                  onChange={(e) => set('name')(e.target.value)}
                />
              )}
            </Field>
            <Field
              label="Phone number"
              optional
              error={fieldError('phone')}
              hint="Only used if we check your identity by phone."
            >
              {(control) => (
                <Input
                  {...control}
                  type="tel"
                  name="phone"
                  autoComplete="tel"
                  value={person.phone}
                  onChange={(e) => set('phone')(e.target.value)}
                />
              )}
            </Field>
          </div>
          <DetailsField kind={kind} value={person.details} onChange={set('details')} error={fieldError('details')} />
          <div className="form-actions">
            <Button variant="ghost" onClick={() => setStep('choose')}>
              Back
            </Button>
            <Button type="submit" variant="primary" busy={busy} icon={<MailIcon size={16} />}>
              Send me a code
            </Button>
          </div>
        </form>
      </Card>
    );
  } else {
    content = (
      <Card>
        <form className="form-stack code-form" onSubmit={submitCode} noValidate>
          <h2 className="step-title" ref={headingRef} tabIndex={-1}>
            Check your e-mail
          </h2>
          <p>
            We sent a 6-digit code to <strong className="break-anywhere">{pending?.email}</strong>. Enter it here to
            confirm the request is yours.
            {pending ? ` It works until ${timeFormat.format(new Date(pending.codeExpiresAt))}.` : ''}
          </p>
          {resent && !codeError ? (
            <Alert tone="success" title="We sent a new code">
              Use the code in the latest e-mail; earlier codes no longer work.
            </Alert>
          ) : null}
          {submitError ? (
            <Alert tone="danger" title="Could not send a new code">
              {submitError.code === 'RATE_LIMITED'
                ? 'Too many requests from here in a short time. Please wait a minute and try again.'
                : submitError.message}
            </Alert>
          ) : null}
          {codeDead && codeError ? (
            <Alert
              tone="danger"
              title="This code can no longer be used"
              actions={
                <Button size="sm" variant="primary" busy={busy} onClick={() => void sendRequest()}>
                  Send a new code
                </Button>
              }
            >
              {codeError.message}
            </Alert>
          ) : null}
          {codeFormError ? (
            <Alert tone="danger" title="That did not work">
              {codeFormError.code === 'RATE_LIMITED'
                ? 'Too many tries in a short time. Please wait a minute and try again.'
                : codeFormError.message}
            </Alert>
          ) : null}
          <Field
            label="Code from the e-mail"
            error={codeFieldError}
            hint="Six digits. The e-mail may take a minute; check your spam folder too."
          >
            {(control) => (
              <Input
                {...control}
                ref={codeRef}
                className="input-code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                disabled={codeDead}
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
              />
            )}
          </Field>
          <div className="form-actions code-actions">
            <Button type="submit" variant="primary" busy={busy && !codeDead} disabled={code.length !== 6 || codeDead}>
              Confirm
            </Button>
          </div>
          <div className="code-help">
            <p>
              No e-mail?{' '}
              <button type="button" className="link-button" onClick={() => void sendRequest()} disabled={busy}>
                Send a new code
              </button>
            </p>
            <p>
              Wrong address?{' '}
              <button type="button" className="link-button" onClick={backToDetails} disabled={busy}>
                Change your details
              </button>
            </p>
          </div>
        </form>
      </Card>
    );
  }

  return (
    <PublicLayout business={business}>
      <div className="privacy-intro">
        <h1 className="privacy-title">Your privacy rights</h1>
        <p className="privacy-lead">
          Ask {business ?? 'us'} for a copy of your data, to correct or erase it, or to stop using it. It takes a couple
          of minutes{guide.data ? `, and we answer within ${describePeriod(guide.data.responsePeriod)}` : ''}.
        </p>
      </div>
      <Steps current={step} />
      <div className="privacy-grid">
        <div className="privacy-primary">{content}</div>
        <aside className="privacy-aside" aria-label="About requests">
          {guide.data ? <WhatToExpect guide={guide.data} /> : null}
        </aside>
      </div>
    </PublicLayout>
  );
};
