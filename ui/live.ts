/**
 * The live connection, held once by the app: the stream's status, the hello, the record count,
 * the session list kept current by `session` events, the pending approvals kept current by
 * `approval` and `approval_done` events, and live records delivered to subscribers in one batch
 * per animation frame (so a burst of traffic renders once, not once per record).
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "preact/hooks";
import type { ApprovalAnswer } from "../src/approval/types.ts";
import type { Hello, RecordSummary, SessionSummary } from "../src/dashboard/api_types.ts";
import {
  answerApproval,
  ApiFailure,
  getApprovals,
  getSessions,
  isAbort,
  type LiveStatus,
  subscribeEvents,
} from "./api.ts";
import { approvalsReducer, type ApprovalsState, EMPTY_APPROVALS } from "./approvals_state.ts";

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
  /** Pending approvals (a snapshot on every connection, then events) and recently ended ones. */
  readonly approvals: ApprovalsState;
  /** Receives each frame's live records; returns the unsubscribe function. */
  subscribe(listener: RecordListener): () => void;
  reloadSessions(): void;
  reloadApprovals(): void;
  /** Sends a person's answer; the outcome shows in `approvals` (answers, then the done event). */
  answer(id: string, answer: ApprovalAnswer): void;
}

/** How long after a 404 answer the pending list is fetched again. */
const GONE_RESYNC_MS = 2000;

/** What a person is told when an answer comes back 404. */
export const ALREADY_ENDED_MESSAGE = "Already answered or expired.";

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
  const [approvals, dispatch] = useReducer(approvalsReducer, EMPTY_APPROVALS);
  // The sync counter of the snapshot being fetched, read by the fetch's callbacks.
  const syncRef = useRef(0);

  const loadApprovals = useCallback((signal?: AbortSignal) => {
    const sync = ++syncRef.current;
    dispatch({ type: "sync" });
    getApprovals(signal).then(
      (list) => dispatch({ type: "loaded", sync, approvals: list.approvals }),
      (error) => {
        if (!isAbort(error)) dispatch({ type: "load_failed", sync, error });
      },
    );
  }, []);

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
        loadApprovals(controller.signal);
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
      approval(approval) {
        dispatch({ type: "added", approval });
      },
      approvalDone(done) {
        dispatch({ type: "done", done, at: Date.now() });
      },
    });
    return () => {
      controller.abort();
      stop();
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [loadSessions, loadApprovals]);

  const subscribe = useCallback((listener: RecordListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const reloadSessions = useCallback(() => loadSessions(), [loadSessions]);
  const reloadApprovals = useCallback(() => loadApprovals(), [loadApprovals]);
  const answer = useCallback((id: string, answer: ApprovalAnswer) => {
    dispatch({ type: "answer", id, state: { answer, status: "sending" } });
    answerApproval(id, answer).then(
      () => dispatch({ type: "answer", id, state: { answer, status: "sent" } }),
      (error) => {
        const gone = error instanceof ApiFailure && error.status === 404;
        const message = gone
          ? ALREADY_ENDED_MESSAGE
          : error instanceof Error
          ? error.message
          : String(error);
        dispatch({ type: "answer", id, state: { answer, status: "failed", message, gone } });
        // The approval ended. Its approval_done event is usually on its way; if it never comes
        // (e.g. the monitor went away), a snapshot shortly after tells what is still pending.
        if (gone) setTimeout(() => loadApprovals(), GONE_RESYNC_MS);
      },
    );
  }, [loadApprovals]);

  return {
    status,
    hello,
    recordCount: hello === undefined ? undefined : hello.records + streamed,
    sessions,
    sessionsError,
    epoch,
    approvals,
    subscribe,
    reloadSessions,
    reloadApprovals,
    answer,
  };
}
