import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, isApiError, type Session, setSessionLostHandler, type User } from './api.ts';
import { useToast } from './ui/toast.tsx';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'expired' | 'signed-out' }
  | { status: 'signed-in'; user: User };

type SessionApi = {
  state: SessionState;
  signedIn: (session: Session) => void;
  signOut: () => Promise<void>;
};

const SessionContext = createContext<SessionApi | null>(null);

export const SessionProvider = ({ children }: { children: ReactNode }) => {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const toast = useToast();

  useEffect(() => {
    let current = true;
    api.me().then(
      (session) => current && setState({ status: 'signed-in', user: session.user }),
      (error: unknown) => {
        if (!current) return;
        // Only a 401 means "not signed in"; anything else is still shown as sign-in, with a toast.
        if (!isApiError(error) || error.status !== 401) {
          toast.show('Could not check your session. Please sign in.', 'danger');
        }
        setState({ status: 'signed-out' });
      },
    );
    return () => {
      current = false;
    };
  }, [toast]);

  useEffect(() => {
    setSessionLostHandler(() => {
      setState((previous) => {
        if (previous.status !== 'signed-in') return previous;
        toast.show('Your session has ended. Please sign in again.', 'danger');
        return { status: 'signed-out', reason: 'expired' };
      });
    });
    return () => setSessionLostHandler(null);
  }, [toast]);

  const signedIn = useCallback(
    (session: Session) => {
      toast.clear();
      setState({ status: 'signed-in', user: session.user });
    },
    [toast],
  );

  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } catch {
      // The cookie may already be gone; either way the person wanted out, so leave the signed-in UI.
    }
    toast.clear();
    setState({ status: 'signed-out', reason: 'signed-out' });
  }, [toast]);

  const value = useMemo(() => ({ state, signedIn, signOut }), [state, signedIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

export const useSession = (): SessionApi => {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession must be used inside <SessionProvider>');
  return session;
};

/** For screens that only render once signed in; the router guarantees it. */
export const useUser = (): User => {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser needs a signed-in session');
  return state.user;
};

const ROLE_LABELS: Record<User['role'], string> = {
  admin: 'Administrator',
  receptionist: 'Receptionist',
  mailroom: 'Mailroom',
  billing: 'Billing',
  support: 'Support',
  privacy_officer: 'Privacy officer',
  owner: 'Owner',
  colleague: 'Colleague',
};

export const roleLabel = (role: User['role']): string => ROLE_LABELS[role] ?? role;
