/**
 * Whether a session file may be deleted: what its first and last records say about its session
 * (the `start` record names km's pid; `shutdown` is always the last record of an ended
 * session), and the rule that a session still running is never deleted, as the dashboard
 * tells live sessions (no `shutdown`, and km's pid still runs). Pure: the file's ends and the
 * process check are passed in.
 */

export interface SessionFileFacts {
  readonly sessionId?: string;
  readonly server?: string;
  /** km's pid, from the `start` record. */
  readonly kmPid?: number;
  /** The file holds no record at all. */
  readonly empty: boolean;
  /** Its last record is `shutdown`: the session is over. */
  readonly ended: boolean;
}

/**
 * The facts of a session file from its first line (`head`, undefined when it has none whole)
 * and the text at its end (`tail`: the file's last bytes, a record's worth or more).
 */
export function sessionFacts(head: string | undefined, tail: string): SessionFileFacts {
  const first = parseObject(head);
  const start = first?.type === "lifecycle" && first.event === "start" ? first : undefined;
  const km = start?.km as Record<string, unknown> | undefined;
  const server = start?.server as Record<string, unknown> | undefined;
  return {
    sessionId: typeof first?.session_id === "string" ? first.session_id : undefined,
    server: typeof server?.name === "string" ? server.name : undefined,
    kmPid: typeof km?.pid === "number" ? km.pid : undefined,
    empty: head === undefined && tail === "",
    ended: endsWithShutdown(tail),
  };
}

/** The text's last line is a whole `shutdown` record (km writes it last, with its `\n`). */
function endsWithShutdown(tail: string): boolean {
  if (!tail.endsWith("\n")) return false;
  const start = tail.lastIndexOf("\n", tail.length - 2) + 1;
  const last = parseObject(tail.slice(start, -1));
  return last?.type === "lifecycle" && last.event === "shutdown";
}

export type Liveness = "ended" | "live" | "unknown";

/**
 * `ended`: a `shutdown` record, an empty file, or km's process is gone (killed before it could
 * write `shutdown`); `live`: km's process still runs; `unknown`: no `start` record names it.
 */
export function liveness(facts: SessionFileFacts, isAlive: (pid: number) => boolean): Liveness {
  if (facts.ended || facts.empty) return "ended";
  if (facts.kmPid === undefined) return "unknown";
  return isAlive(facts.kmPid) ? "live" : "ended";
}

/** Whether a session matches `--session S`: its id, or the beginning of it. */
export function sessionMatches(facts: SessionFileFacts, session: string): boolean {
  return session !== "" && facts.sessionId !== undefined && facts.sessionId.startsWith(session);
}

function parseObject(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
