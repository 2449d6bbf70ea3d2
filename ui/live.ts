/**
 * The live connection, held once by the app: the stream's status, the hello, the record count,
 * the session list kept current by `session` events, and live records delivered to subscribers
 * in one batch per animation frame (so a burst of traffic renders once, not once per record).
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Hello, RecordSummary, SessionSummary } from "../src/ui/api_types.ts";
import { getSessions, isAbort, type LiveStatus, subscribeEvents } from "./api.ts";

export type RecordListener = (records: readonly RecordSummary[]) => void;

export interface Live {
  readonly status: LiveStatus;
  readonly hello?: Hello;
  /** Records the dashboard serves: the hello's count plus the records streamed since. */
  readonly recordCount?: number;
  /** Newest first; undefined until loaded. */
  readonly sessions?: readonly SessionSummary[];
  readonly sessionsError?: unknown;
  /** Increases on every reconnection, so views can refetch what they may have missed. */
  readonly epoch: number;
  /** Receives each frame's live records; returns the unsubscribe function. */
  subscribe(listener: RecordListener): () => void;
  reloadSessions(): void;
}

/** A hidden tab gets no animation frames: a timer flushes the batch too. */
const FLUSH_TIMEOUT_MS = 250;

function upsertSession(
  list: readonly SessionSummary[],
  session: SessionSummary,
): SessionSummary[] {
  const rest = list.filter((s) => s.id !== session.id);
  return [session, ...rest].sort((a, b) => b.startedAt - a.startedAt);
}

/** Opens the live stream for the app's lifetime. */
export function useLive(): Live {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [hello, setHello] = useState<Hello>();
  const [streamed, setStreamed] = useState(0);
  const [sessions, setSessions] = useState<readonly SessionSummary[]>();
  const [sessionsError, setSessionsError] = useState<unknown>();
  const [epoch, setEpoch] = useState(0);
  const listeners = useRef(new Set<RecordListener>());
  const buffer = useRef<RecordSummary[]>([]);
  const scheduled = useRef(false);

  const loadSessions = useCallback((signal?: AbortSignal) => {
    getSessions(signal).then(
      (list) => {
        setSessions(list.sessions);
        setSessionsError(undefined);
      },
      (error) => {
        if (!isAbort(error)) setSessionsError(error);
      },
    );
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    loadSessions(controller.signal);
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      scheduled.current = false;
      const batch = buffer.current;
      if (batch.length === 0) return;
      buffer.current = [];
      setStreamed((n) => n + batch.length);
      for (const listener of listeners.current) listener(batch);
    };
    const stop = subscribeEvents({
      status: setStatus,
      hello(h, reconnected) {
        setHello(h);
        setStreamed(0);
        if (reconnected) {
          setEpoch((e) => e + 1);
          loadSessions(controller.signal);
        }
      },
      record(record) {
        buffer.current.push(record);
        if (!scheduled.current) {
          scheduled.current = true;
          frame = requestAnimationFrame(flush);
          timer = setTimeout(flush, FLUSH_TIMEOUT_MS);
        }
      },
      session(session) {
        setSessions((list) => upsertSession(list ?? [], session));
      },
    });
    return () => {
      controller.abort();
      stop();
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [loadSessions]);

  const subscribe = useCallback((listener: RecordListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const reloadSessions = useCallback(() => loadSessions(), [loadSessions]);

  return {
    status,
    hello,
    recordCount: hello === undefined ? undefined : hello.records + streamed,
    sessions,
    sessionsError,
    epoch,
    subscribe,
    reloadSessions,
  };
}
