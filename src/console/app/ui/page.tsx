// Page frame pieces: the heading that takes focus when the page changes (so keyboard and
// screen-reader users start at the new content), and loading and error states.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api.js';

// Not on the page the browser loaded: there the focus starts at the top, at the skip link.
let shown = false;

/** A page without a PageHeading (sign-in) was shown: the next page takes the focus. */
export function pageShown(): void {
  shown = true;
}

export function PageHeading({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => {
    if (shown) ref.current?.focus();
    pageShown();
  }, []);
  return (
    <div class="page-heading">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </div>
  );
}

/** What a list or detail shows while it loads or when loading failed. */
export function LoadState({ loading, error, retry }: { loading: boolean; error: ApiError | undefined; retry: () => void }) {
  if (error) {
    return (
      <div class="load-error" role="alert">
        <p>{error.message}</p>
        <button type="button" class="button secondary" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  return loading ? <p class="loading" aria-live="polite">Loading…</p> : null;
}
