// The polite live region that confirms what just happened ("User acme created"), so a
// screen reader hears the outcome of an action that changed the page elsewhere.
import { useEffect, useState } from 'preact/hooks';

type Listener = (message: string) => void;
const listeners = new Set<Listener>();

export function announce(message: string): void {
  for (const l of listeners) l(message);
}

export function StatusRegion() {
  // The counter re-renders the paragraph, so the same message twice is announced twice.
  const [{ message, n }, setState] = useState({ message: '', n: 0 });
  useEffect(() => {
    const listener: Listener = (m) => setState((s) => ({ message: m, n: s.n + 1 }));
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return (
    <div class="status" role="status" aria-live="polite">
      {message ? <p key={n}>{message}</p> : null}
    </div>
  );
}
