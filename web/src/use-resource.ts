import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isApiError } from './api.ts';

export type Resource<T> =
  | { status: 'loading'; data: undefined; error: undefined; reload: () => void }
  | { status: 'ready'; data: T; error: undefined; reload: () => void }
  | { status: 'error'; data: undefined; error: ApiError; reload: () => void };

export const asApiError = (error: unknown): ApiError =>
  isApiError(error) ? error : new ApiError(0, 'INTERNAL', error instanceof Error ? error.message : String(error));

/** Loads data for a screen and keeps loading / ready / error explicit, ignoring stale answers. */
export const useResource = <T>(load: () => Promise<T>, deps: DependencyList): Resource<T> => {
  const [state, setState] = useState<
    { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; error: ApiError }
  >({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: callers pass the inputs of `load` as deps
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    loadRef.current().then(
      (data) => current && setState({ status: 'ready', data }),
      (error: unknown) => current && setState({ status: 'error', error: asApiError(error) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  if (state.status === 'ready') return { status: 'ready', data: state.data, error: undefined, reload };
  if (state.status === 'error') return { status: 'error', data: undefined, error: state.error, reload };
  return { status: 'loading', data: undefined, error: undefined, reload };
};
