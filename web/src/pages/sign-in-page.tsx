import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type ApiError, api, type Session } from '../api.ts';
import { useSession } from '../session.tsx';
import { LogoMark } from '../shell/logo.tsx';
import { Alert } from '../ui/alert.tsx';
import { Button } from '../ui/button.tsx';
import { Field, Input } from '../ui/field.tsx';
import { ArrowLeftIcon, LockIcon } from '../ui/icons.tsx';
import { asApiError } from '../use-resource.ts';

type Step = 'password' | 'totp';

const retryHint = (error: ApiError): string => {
  const seconds = Number(error.details.retryAfterSeconds ?? error.details.retryAfter);
  return Number.isFinite(seconds) && seconds > 0
    ? `${error.message} Try again in ${Math.ceil(seconds)} seconds.`
    : error.message;
};

export const SignInPage = ({ reason }: { reason?: 'expired' | 'signed-out' | undefined }) => {
  const { signedIn } = useSession();
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Custodian';
  }, []);

  useEffect(() => {
    if (step === 'totp') codeRef.current?.focus();
  }, [step]);

  const finish = (session: Session): void => {
    signedIn(session);
  };

  const submitPassword = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      finish(await api.signIn(email.trim(), password));
    } catch (caught) {
      const apiError = asApiError(caught);
      if (apiError.code === 'MFA_REQUIRED') {
        setStep('totp');
      } else {
        setError(apiError);
      }
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      finish(await api.verifyTotp(code));
    } catch (caught) {
      setError(asApiError(caught));
      setCode('');
      codeRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const backToPassword = (): void => {
    setStep('password');
    setCode('');
    setPassword('');
    setError(null);
  };

  const fieldErrors = error?.fieldErrors ?? {};
  const formError = error && Object.keys(fieldErrors).length === 0 ? error : null;
  // The server's field detail for a wrong code is terse ("does not match"); its message reads better.
  const codeError = error && fieldErrors.code ? error.message : undefined;

  return (
    <div className="auth-layout">
      <main className="auth-main" id="main">
        <div className="auth-card">
          <div className="auth-brand">
            <LogoMark size={40} />
            <span className="auth-brand-name">Custodian</span>
          </div>
          {step === 'password' ? (
            <>
              <h1 className="auth-title">Sign in</h1>
              <p className="auth-subtitle">Welcome back. Use the e-mail address your workspace invited.</p>
              {reason === 'expired' ? (
                <Alert tone="info" title="Your session has ended">
                  For your clients' privacy, sessions end after a period of inactivity.
                </Alert>
              ) : null}
              {reason === 'signed-out' ? <Alert tone="success" title="You have signed out" /> : null}
              {formError ? (
                <Alert
                  tone="danger"
                  title={formError.code === 'RATE_LIMITED' ? 'Too many attempts' : 'Could not sign you in'}
                >
                  {formError.code === 'RATE_LIMITED' ? retryHint(formError) : formError.message}
                </Alert>
              ) : null}
              <form className="form-stack auth-form" onSubmit={submitPassword} noValidate={false}>
                <Field label="E-mail address" error={fieldErrors.email}>
                  {(control) => (
                    <Input
                      {...control}
                      type="email"
                      name="email"
                      autoComplete="username"
                      required
                      value={email}
                      onChange={(event) => setEmail(event.target.value)}
                    />
                  )}
                </Field>
                <Field label="Password" error={fieldErrors.password}>
                  {(control) => (
                    <Input
                      {...control}
                      type="password"
                      name="password"
                      autoComplete="current-password"
                      required
                      value={password}
                      onChange={(event) => setPassword(event.target.value)}
                    />
                  )}
                </Field>
                <Button type="submit" variant="primary" className="btn-block" busy={busy}>
                  Sign in
                </Button>
              </form>
            </>
          ) : (
            <>
              <h1 className="auth-title">Two-step verification</h1>
              <p className="auth-subtitle">Enter the 6-digit code from your authenticator app for {email}.</p>
              {formError ? (
                <Alert
                  tone="danger"
                  title={formError.code === 'RATE_LIMITED' ? 'Too many attempts' : 'That code did not work'}
                >
                  {formError.code === 'RATE_LIMITED' ? retryHint(formError) : formError.message}
                </Alert>
              ) : null}
              <form className="form-stack auth-form" onSubmit={submitCode}>
                <Field label="Verification code" error={codeError} hint="The code changes every 30 seconds.">
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
                      required
                      value={code}
                      onChange={(event) => setCode(event.target.value.replace(/\D/g, '').slice(0, 6))}
                    />
                  )}
                </Field>
                <Button type="submit" variant="primary" className="btn-block" busy={busy} disabled={code.length !== 6}>
                  Verify and sign in
                </Button>
                <Button
                  variant="ghost"
                  className="btn-block"
                  icon={<ArrowLeftIcon size={16} />}
                  onClick={backToPassword}
                >
                  Use a different account
                </Button>
              </form>
            </>
          )}
        </div>
        <p className="auth-footnote">
          <LockIcon size={14} />
          Protected sign-in. Every sign-in is recorded in the audit log.
        </p>
      </main>
    </div>
  );
};
