// Loading data and submitting forms against the API, with the states pages show.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'unexpected', err instanceof Error ? err.message : String(err)));

/** Runs `load` when `deps` change and on reload(); a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => run === latest.current && setState({ data, loading: false }),
      (err: unknown) => run === latest.current && setState((s) => ({ data: s.data, error: asApiError(err), loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Submission {
  busy: boolean;
  error: ApiError | undefined;
  /** Starts `action` unless one is running; its error is kept for the form to show. */
  run: (action: () => Promise<void>) => void;
  clear: () => void;
}

export function useSubmit(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const inFlight = useRef(false);
  const run = useCallback((action: () => Promise<void>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    action()
      .catch((err: unknown) => setError(asApiError(err)))
      .finally(() => {
        inFlight.current = false;
        setBusy(false);
      });
  }, []);
  return { busy, error, run, clear: useCallback(() => setError(undefined), []) };
}
