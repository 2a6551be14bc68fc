import { useEffect, useRef, useState } from 'preact/hooks';

export const REFRESH_MS = 2000;

/**
 * Loads with `load` at once and then every REFRESH_MS, one load at a time (a slow answer delays the
 * next instead of piling up). Keeps the last good value next to the last error.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[]): { value: T | null; error: Error | null; at: Date | null } {
  const [state, setState] = useState<{ value: T | null; error: Error | null; at: Date | null }>({ value: null, error: null, at: null });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      try {
        const value = await loadRef.current();
        if (!stopped) setState({ value, error: null, at: new Date() });
      } catch (e) {
        if (!stopped) setState((s) => ({ ...s, error: e as Error }));
      }
      if (!stopped) timer = window.setTimeout(tick, REFRESH_MS);
    };
    tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, deps);
  return state;
}
