import { type FormEvent, useEffect, useState } from 'react';
import { portalApi } from '../../portal-api.ts';
import { navigate } from '../../router.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Button } from '../../ui/button.tsx';
import { Field, Input } from '../../ui/field.tsx';
import { asApiError } from '../../use-resource.ts';

/** Public: the link in an invitation e-mail. The token is in the fragment, so it never reaches a server log. */
export const AcceptInvitationPage = () => {
  const [token] = useState(() => window.location.hash.replace(/^#/, ''));
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    document.title = 'Accept invitation · Custodian';
  }, []);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await portalApi.acceptInvitation(token, password);
      setDone(true);
    } catch (caught) {
      setError(asApiError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="auth-layout">
      <div className="auth-main">
        <div className="auth-card">
          <h1 className="auth-title">Join your team’s portal</h1>
          {done ? (
            <Alert
              tone="success"
              title="You are in"
              actions={<Button onClick={() => navigate('/sign-in')}>Sign in</Button>}
            >
              Sign in with your e-mail address and the password you chose.
            </Alert>
          ) : (
            <form className="auth-form" onSubmit={submit}>
              <p className="auth-subtitle">Choose a password of at least 12 characters.</p>
              <Field label="Password" error={error ?? undefined}>
                {(control) => (
                  <Input
                    {...control}
                    type="password"
                    autoComplete="new-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                )}
              </Field>
              <Button type="submit" variant="primary" busy={busy} disabled={!token || password.length === 0}>
                Accept invitation
              </Button>
            </form>
          )}
        </div>
      </div>
    </main>
  );
};
