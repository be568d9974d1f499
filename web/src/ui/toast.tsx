import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { AlertIcon, CheckCircleIcon, CloseIcon } from './icons.tsx';

type ToastTone = 'success' | 'danger';
type Toast = { id: number; tone: ToastTone; message: string };
type ToastApi = {
  show: (message: string, tone?: ToastTone) => void;
  /** Drops every toast, e.g. on sign-out, so one user's messages never show to the next. */
  clear: () => void;
};

const ToastContext = createContext<ToastApi | null>(null);

const VISIBLE_MS = 6000;

export const ToastProvider = ({ children }: { children: ReactNode }) => {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), []);

  const show = useCallback(
    (message: string, tone: ToastTone = 'success') => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-2), { id, tone, message }]);
      window.setTimeout(() => dismiss(id), VISIBLE_MS);
    },
    [dismiss],
  );

  const clear = useCallback(() => setToasts([]), []);

  const value = useMemo(() => ({ show, clear }), [show, clear]);

  return (
    <ToastContext.Provider value={value}>
      {children}
      {/* The live region exists before any toast so screen readers pick up the first one too. */}
      <section className="toast-region" aria-live="polite" aria-label="Notifications">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            {toast.tone === 'success' ? <CheckCircleIcon size={18} /> : <AlertIcon size={18} />}
            <p>{toast.message}</p>
            <button
              type="button"
              className="icon-button icon-button-sm"
              onClick={() => dismiss(toast.id)}
              aria-label="Dismiss notification"
            >
              <CloseIcon size={16} />
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
};

export const useToast = (): ToastApi => {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast must be used inside <ToastProvider>');
  return api;
};
