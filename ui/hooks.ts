/** Small Preact hooks shared by the views: loading API data, a ticking clock, debouncing. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { isAbort } from "./api.ts";

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly loading: boolean;
  /** Loads again, keeping the current data on screen until the new data arrives. */
  reload(): void;
}

/**
 * Runs `load` when `deps` change (aborting the previous run) and on `reload()`. Errors are kept
 * for display; an aborted run is not an error.
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error) => {
        if (!controller.signal.aborted && !isAbort(error)) {
          setState((s) => ({ data: s.data, error, loading: false }));
        }
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The current time, updated every `intervalMs`, for relative times and live durations. */
export function useNow(intervalMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** Calls `fn` every `intervalMs` while the page is visible. */
export function useInterval(fn: () => void, intervalMs: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === "visible") ref.current();
    }, intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
}
