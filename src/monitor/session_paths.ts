/**
 * Who the session is and where it writes: its id, the server's name, when it began, the
 * redaction of its records, its audit log's path and km's data directory. With `logRetention`,
 * old ended sessions of the log folder are deleted in the background as the session begins.
 */
import { defaultDataDir, logDirOf, serverNameOf, sessionLogPath } from "../audit/paths.ts";
import { retainLogs } from "../audit/prune.ts";
import type { Diagnostics } from "../diagnostics.ts";
import { pidAlive } from "../discovery.ts";
import { type Redactor, redactorFor } from "../audit/redact.ts";
import type { Config } from "../config/config.ts";
import { KmError } from "../errors.ts";
import type { Clock } from "../relay/events.ts";

export interface SessionPlace {
  readonly sessionId: string;
  readonly serverName: string;
  /** When the session began: `clock.now()`, for durations. */
  readonly t0: number;
  readonly redactor: Redactor;
  readonly logPath: string;
  readonly dataDir: string | undefined;
  /** `logRetention` running in the background (never rejects; nothing waits for it). */
  readonly retention?: Promise<unknown>;
}

export function sessionPlace(
  config: Config,
  command: readonly string[],
  io: {
    readonly env: Readonly<Record<string, string>>;
    readonly os: string;
    readonly clock: Clock;
    readonly newSessionId: () => string;
    /** Where a failed `logRetention` is reported (it never fails the session). */
    readonly diagnostics?: Diagnostics;
  },
): SessionPlace {
  const sessionId = config.sessionId ?? io.newSessionId();
  const serverName = config.name ?? serverNameOf(command);
  const startedAt = io.clock.epochMs();
  const t0 = io.clock.now();
  const redactor = redactorFor(config.redaction, config.logMaxStringChars);
  if (typeof redactor === "string") throw new KmError("CONFIG_INVALID", redactor);
  const logPath = sessionLogPath(config, (name) => io.env[name], io.os, {
    startedAt,
    serverName,
    sessionId,
  });
  if (!logPath) {
    throw new KmError(
      "LOG_UNWRITABLE",
      "Cannot choose a place for the audit log: neither HOME nor XDG_DATA_HOME is set",
      "pass --log-dir DIR or --log-file FILE, or set KM_DATA_DIR (MCP clients often start km with a minimal environment)",
    );
  }
  const dataDir = config.dataDir ?? defaultDataDir((name) => io.env[name], io.os);
  const logDir = config.logRetention && logDirOf(config, (name) => io.env[name], io.os);
  const warn = (text: string) => io.diagnostics?.warn(text);
  const retention = config.logRetention && logDir
    ? retainLogs(logDir, config.logRetention, startedAt, warn, pidAlive)
    : undefined;
  return { sessionId, serverName, t0, redactor, logPath, dataDir, retention };
}
