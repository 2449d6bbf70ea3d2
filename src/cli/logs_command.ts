/**
 * `km logs`: the audit records of the log folder, readable (one line per record, as
 * `km monitor -v` shows messages) or as stored (`--json`), filtered, and with `--follow` kept
 * up with as sessions write, until Ctrl-C. It only reads: a line still being written is read
 * once it is whole, and a line that is not JSON is named on stderr and skipped. Records hold
 * only redacted text (docs/audit-log.md), and that is all this prints.
 */
import { parseSince, SINCE_EXPECTED } from "../audit/age.ts";
import { DECISIONS, matchesRecord, type RecordFilter } from "../audit/filter.ts";
import type { LogLine } from "../audit/log_lines.ts";
import { logDirOf } from "../audit/paths.ts";
import {
  FileTail,
  listSessionFiles,
  serverOfFileName,
  type SessionFile,
} from "../audit/read_log.ts";
import type { Config } from "../config/config.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { suggest } from "../suggest.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION, LOG_DIR_OPTION } from "./common_options.ts";
import type { CommandInfo } from "./help.ts";
import { readableLine } from "./log_line.ts";
import type { OptionSpec } from "./options.ts";

const value = (name: string, valueName: string, description: string): OptionSpec => ({
  name,
  kind: "value",
  valueName,
  description,
});

export const LOGS_COMMAND: CommandInfo = {
  name: "logs",
  summary: "print the audit log's records, filtered; follow sessions as they write",
  usage: "km logs [--follow] [--session S] [--server N] [--method M] [--tool T] [--decision D]\n" +
    "          [--since AGE|DATE] [--json]",
  options: [
    { name: "follow", short: "f", kind: "boolean", description: "keep printing new records" },
    value("session", "S", "one session: its id or the beginning of it (e.g. b647aabc)"),
    value("server", "N", "sessions of this server name (as in the log's file names)"),
    value("method", "M", "messages of this method (e.g. tools/call)"),
    value("tool", "T", "tools/call messages of this tool"),
    value("decision", "D", "messages the policy decided so: deny, ask, block, hold…"),
    value("since", "AGE|DATE", "records from this age back (30s, 15m, 1h, 7d) or ISO date on"),
    { name: "json", kind: "boolean", description: "print the records as stored (JSON Lines)" },
    LOG_DIR_OPTION,
    DATA_DIR_OPTION,
    CONFIG_OPTION,
    HELP_OPTION,
  ],
  details: `Reads every session file of the log folder (logDir; see km config show), oldest
session first. Filters combine: a record is printed when it passes all of them. A filter on
method, tool or decision prints message records only (and approval records).

With --follow, the records there are printed first (narrow them with --since), then new
records and new sessions as they are written, until Ctrl-C.

The records hold redacted text only (docs/audit-log.md). A line that is not JSON is named
(file:line) on stderr and skipped; a session's last line, while it is being written, waits.`,
};

/** What `km logs` was asked for: the filter, the output, whether to follow. */
export interface LogsQuery {
  readonly filter: RecordFilter;
  readonly json: boolean;
  readonly follow: boolean;
}

/** The query from the options; throws USAGE naming a bad value. Pure. */
export function logsQuery(
  values: Readonly<Record<string, string | boolean | string[]>>,
  nowMs: number,
): LogsQuery {
  const text = (name: string) => {
    const v = values[name];
    if (v === "") throw new KmError("USAGE", `--${name} needs a value, got ""`);
    return typeof v === "string" ? v : undefined;
  };
  const decision = text("decision");
  if (decision !== undefined && !(DECISIONS as readonly string[]).includes(decision)) {
    const hint = suggest(decision, DECISIONS);
    throw new KmError(
      "USAGE",
      `--decision expects one of ${DECISIONS.join(", ")}, got "${decision}"` +
        (hint ? ` (did you mean "${hint}"?)` : ""),
    );
  }
  const sinceText = text("since");
  const since = sinceText === undefined ? undefined : parseSince(sinceText, nowMs);
  if (sinceText !== undefined && since === undefined) {
    throw new KmError("USAGE", `--since expects ${SINCE_EXPECTED}, got "${sinceText}"`);
  }
  const filter: RecordFilter = {
    session: text("session"),
    server: text("server"),
    method: text("method"),
    tool: text("tool"),
    decision,
    since,
  };
  return { filter, json: values.json === true, follow: values.follow === true };
}

/** The configuration layer of the folder options `km logs` and `km clear-logs` take. */
export function folderFlagsLayer(
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  if ("log-dir" in values) layer.logDir = values["log-dir"];
  if ("data-dir" in values) layer.dataDir = values["data-dir"];
  return layer;
}

/** The log folder the configuration names; throws USAGE when there is none. */
export function logFolder(config: Config, env: Readonly<Record<string, string>>, os: string) {
  const dir = logDirOf(config, (name) => env[name], os);
  if (dir === undefined) {
    throw new KmError(
      "USAGE",
      "Cannot find the log folder: neither HOME nor XDG_DATA_HOME is set",
      "pass --log-dir DIR or --data-dir DIR",
    );
  }
  return dir;
}

export interface LogsIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly onSignals: (
    signals: readonly Deno.Signal[],
    handler: (signal: Deno.Signal) => void,
  ) => () => void;
  /** Waits between looks for new records (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How often `--follow` looks for new records and sessions. */
export const FOLLOW_POLL_MS = 200;

/** Prints the records of `logDir` that `query` asks for; returns the exit code. */
export async function runLogs(logDir: string, query: LogsQuery, io: LogsIo): Promise<number> {
  const reader = new LogReader(query, io);
  const stop = Promise.withResolvers<void>();
  let stopped = false;
  const unlisten = query.follow
    ? io.onSignals(["SIGINT", "SIGTERM"], () => {
      stopped = true;
      stop.resolve();
    })
    : () => {};
  const sleep = io.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  try {
    await reader.pass(logDir);
    while (query.follow && !stopped) {
      await Promise.race([sleep(FOLLOW_POLL_MS), stop.promise]);
      if (!stopped) await reader.pass(logDir);
    }
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0; // `km logs | head`: the reader left
    throw error;
  } finally {
    unlisten();
  }
  return 0;
}

/** Reads the session files, remembering how far, and prints what passes the filter. */
class LogReader {
  readonly #query: LogsQuery;
  readonly #io: LogsIo;
  readonly #tails = new Map<string, FileTail>();
  /** Each session's server name, from its `start` record. */
  readonly #servers = new Map<string, string>();

  constructor(query: LogsQuery, io: LogsIo) {
    this.#query = query;
    this.#io = io;
  }

  async pass(dir: string): Promise<void> {
    const since = this.#query.filter.since;
    for (const file of await listSessionFiles(dir)) {
      let tail = this.#tails.get(file.name);
      if (!tail) {
        // Not written since then: none of its records can pass --since (looked at again later).
        if (since !== undefined && file.mtimeMs < since) continue;
        tail = new FileTail(file.path);
        this.#tails.set(file.name, tail);
      }
      await tail.read((line) => this.#line(file, line));
    }
  }

  #line(file: SessionFile, line: LogLine): void {
    if (line.text === "") return;
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch {
      record = undefined;
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      this.#io.diagnostics.warn(`${file.path}:${line.number}: not a JSON record; skipped`);
      return;
    }
    const r = record as Record<string, unknown>;
    const session = typeof r.session_id === "string" ? r.session_id : "";
    if (r.type === "lifecycle" && r.event === "start") {
      const name = (r.server as Record<string, unknown> | undefined)?.name;
      if (typeof name === "string") this.#servers.set(session, name);
    }
    const server = this.#servers.get(session) ?? serverOfFileName(file.name);
    if (!matchesRecord(r, server, this.#query.filter)) return;
    this.#io.out.write(this.#query.json ? `${line.text}\n` : readableLine(r, server));
  }
}
