/** Test helpers: an in-memory session log, a fake clock and a fake server. Not part of km. */
import { AuditLog, type LogFile } from "../audit/audit_log.ts";
import { type Redactor, redactorFor } from "../audit/redact.ts";
import { DEFAULTS } from "../config/config.ts";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import type { Clock } from "../relay/events.ts";
import { openSessionLog, type SessionLog } from "./session_log.ts";
import type { ExitStatus, Upstream } from "./upstream.ts";

/** A clock that moves 5 ms on each reading of `now`. */
export function fakeClock(): Clock {
  let t = 0;
  return { now: () => (t += 5), epochMs: () => 1_700_000_000_000 + t };
}

/** Diagnostics into a buffer, read back with `text()`. */
export function bufferDiagnostics() {
  const err = bufferWriter();
  return { diagnostics: new Diagnostics(err), text: () => err.text() };
}

/** A file in memory; with `full`, every write fails as on a full disk. */
export function memoryFile(full = false): LogFile & { text(): string; closed: boolean } {
  let data = "";
  const decoder = new TextDecoder();
  return {
    closed: false,
    write(bytes) {
      if (full) return Promise.reject(new Error("No space left on device (os error 28)"));
      data += decoder.decode(bytes);
      return Promise.resolve(bytes.length);
    },
    truncate: () => Promise.resolve(),
    close() {
      this.closed = true;
    },
    text: () => data,
  };
}

/** A session log over an in-memory file: `records()` parses what was written. */
export async function memoryLog(
  options: { full?: boolean; refuseUnrecorded?: boolean; clock?: Clock } = {},
): Promise<{
  log: SessionLog;
  file: ReturnType<typeof memoryFile>;
  records(): Record<string, unknown>[];
  stderr(): string;
}> {
  const file = memoryFile(options.full);
  const { diagnostics, text } = bufferDiagnostics();
  const log = await openSessionLog(
    {
      path: "/mem/session.jsonl",
      ctx: { sessionId: "s1", redactor: defaultRedactor(), logBodies: "full" },
      clock: options.clock ?? fakeClock(),
      diagnostics,
      refuseUnrecorded: options.refuseUnrecorded ?? false,
    },
    (path, onError) => Promise.resolve(new AuditLog(path, file, onError)),
  );
  return {
    log,
    file,
    records: () => file.text().trim().split("\n").filter((l) => l).map((line) => JSON.parse(line)),
    stderr: text,
  };
}

/**
 * A server over in-memory pipes: `answer` maps each line it reads to the line it writes back
 * (or nothing); it writes `stderrText` at once, and exits 0 when its stdin closes, 143 on
 * SIGTERM, 137 on SIGKILL. `signal` is false once it has exited.
 */
export function fakeUpstream(
  answer: (line: string) => string | undefined = () => undefined,
  stderrText = "",
): Upstream & { got: Deno.Signal[]; exit(status: ExitStatus): void } {
  const got: Deno.Signal[] = [];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let out!: ReadableStreamDefaultController<Uint8Array>;
  let err!: ReadableStreamDefaultController<Uint8Array>;
  let resolve!: (status: ExitStatus) => void;
  let exited = false;
  const status = new Promise<ExitStatus>((r) => (resolve = r));
  const exit = (s: ExitStatus) => {
    if (exited) return;
    exited = true;
    out.close();
    err.close();
    resolve(s);
  };
  let buffered = "";
  return {
    pid: 4242,
    got,
    exit,
    stdin: new WritableStream({
      write(chunk) {
        buffered += decoder.decode(chunk);
        let nl;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const reply = answer(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (reply !== undefined && !exited) out.enqueue(encoder.encode(reply + "\n"));
        }
      },
      close: () => exit({ code: 0, signal: null }),
    }),
    stdout: new ReadableStream({ start: (c) => void (out = c) }),
    stderr: new ReadableStream({
      start(c) {
        err = c;
        if (stderrText) c.enqueue(encoder.encode(stderrText));
      },
    }),
    status,
    signal(signal) {
      if (exited) return false;
      got.push(signal);
      if (signal === "SIGTERM") exit({ code: 143, signal: "SIGTERM" });
      if (signal === "SIGKILL") exit({ code: 137, signal: "SIGKILL" });
      return true;
    },
  };
}

/** The redactor of the default configuration. */
export function defaultRedactor(): Redactor {
  return redactorFor(DEFAULTS.redaction, DEFAULTS.logMaxStringChars) as Redactor;
}
