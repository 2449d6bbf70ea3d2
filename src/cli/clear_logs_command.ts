/**
 * `km clear-logs`: deletes whole session files of the log folder, those last written before an
 * age or one named session, never one whose session still runs (src/audit/retention.ts). It
 * lists what it will delete and asks first when a person is at the terminal; otherwise it
 * deletes only with --yes.
 */
import { AGE_EXPECTED, parseAge } from "../audit/age.ts";
import {
  allSessionFiles,
  filesOlderThan,
  type InspectedFile,
  removeSessionFiles,
} from "../audit/prune.ts";
import { sessionMatches } from "../audit/retention.ts";
import { type Diagnostics, terminalSafe, type TextWriter } from "../diagnostics.ts";
import { askYesNo, canAsk, type ConfirmIo } from "./confirm.ts";
import { pidAlive } from "../discovery.ts";
import { KmError } from "../errors.ts";
import { formatBytes } from "../monitor/report.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION, LOG_DIR_OPTION } from "./common_options.ts";
import type { CommandInfo } from "./help.ts";

export const CLEAR_LOGS_COMMAND: CommandInfo = {
  name: "clear-logs",
  summary: "delete old session logs (never a session that is still running)",
  usage: "km clear-logs [--older-than AGE] [--session S] [--yes]",
  options: [
    {
      name: "older-than",
      kind: "value",
      valueName: "AGE",
      description: "sessions last written longer ago than this: 30s, 15m, 1h, 7d, 2w",
    },
    {
      name: "session",
      kind: "value",
      valueName: "S",
      description: "the session with this id (or the beginning of it)",
    },
    { name: "yes", short: "y", kind: "boolean", description: "delete without asking" },
    LOG_DIR_OPTION,
    DATA_DIR_OPTION,
    CONFIG_OPTION,
    HELP_OPTION,
  ],
  details: `Deletes whole session files (*.jsonl) of the log folder (logDir; see km config show).
A session that is still running (no shutdown record yet, and its km process runs) is never
deleted. Given both --older-than and --session, a file must match both.

At a terminal, km lists the files and asks before deleting; otherwise it deletes only with
--yes. To delete old sessions automatically, set "logRetention" (e.g. "30d") in km.jsonc.`,
};

/** What to delete. */
export interface ClearRequest {
  readonly olderThanMs?: number;
  readonly session?: string;
  readonly yes: boolean;
}

/** The request from the options; throws USAGE naming a bad or missing value. Pure. */
export function clearRequest(
  values: Readonly<Record<string, string | boolean | string[]>>,
): ClearRequest {
  const age = values["older-than"] as string | undefined;
  const session = values.session as string | undefined;
  if (age === undefined && session === undefined) {
    throw new KmError(
      "USAGE",
      "km clear-logs needs --older-than AGE or --session S to know what to delete",
      "e.g. km clear-logs --older-than 30d",
    );
  }
  const olderThanMs = age === undefined ? undefined : parseAge(age);
  if (age !== undefined && olderThanMs === undefined) {
    throw new KmError("USAGE", `--older-than expects ${AGE_EXPECTED}, got "${age}"`);
  }
  if (session === "") throw new KmError("USAGE", '--session needs a session id, got ""');
  return { olderThanMs, session, yes: values.yes === true };
}

/** The files a request deletes, and the ones it matched but keeps, with why. */
export interface ClearPlan {
  readonly remove: readonly InspectedFile[];
  readonly kept: readonly { readonly file: InspectedFile; readonly why: string }[];
}

/**
 * Chooses among `files` (already those older than the age, when one is given). Throws when a
 * named session is not there, is ambiguous, or still runs. Pure.
 */
export function planClear(files: readonly InspectedFile[], request: ClearRequest): ClearPlan {
  const { session } = request;
  const matching = session === undefined
    ? files
    : files.filter((f) => sessionMatches(f.facts, session));
  if (session !== undefined) {
    const ids = new Set(matching.map((f) => f.facts.sessionId));
    if (ids.size > 1) {
      throw new KmError(
        "USAGE",
        `--session "${session}" matches ${ids.size} sessions: ${[...ids].join(", ")}`,
        "give more of the session id",
      );
    }
    const running = matching.find((f) => f.liveness !== "ended");
    if (running) {
      throw new KmError("USAGE", `session ${running.facts.sessionId} ${whyKept(running)}`);
    }
  }
  const remove = matching.filter((f) => f.liveness === "ended");
  const kept = matching.filter((f) => f.liveness !== "ended").map((file) => ({
    file,
    why: whyKept(file),
  }));
  return { remove, kept };
}

function whyKept(file: InspectedFile): string {
  return file.liveness === "live"
    ? `is still running (km pid ${file.facts.kmPid}): its log is not deleted`
    : "has no start record naming its km process, so km cannot tell it has ended: not deleted";
}

export interface ClearLogsIo extends ConfirmIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly now?: () => number;
  readonly isAlive?: (pid: number) => boolean;
}

/** Runs `km clear-logs` over `logDir`; returns the exit code. Throws KmError. */
export async function runClearLogs(
  logDir: string,
  request: ClearRequest,
  io: ClearLogsIo,
): Promise<number> {
  const isAlive = io.isAlive ?? pidAlive;
  const now = (io.now ?? Date.now)();
  const files = request.olderThanMs === undefined
    ? await allSessionFiles(logDir, isAlive)
    : await filesOlderThan(logDir, now - request.olderThanMs, isAlive);
  const plan = planClear(files, request);
  for (const { file, why } of plan.kept) io.diagnostics.info(`keeping ${file.path}: it ${why}`);
  if (plan.remove.length === 0) {
    if (request.session !== undefined) {
      throw new KmError("USAGE", `no session "${request.session}" in the log folder "${logDir}"`);
    }
    io.out.write(`no session log in "${terminalSafe(logDir)}" to delete\n`);
    return 0;
  }
  const bytes = plan.remove.reduce((n, f) => n + f.size, 0);
  const what = `${plan.remove.length} session ${plan.remove.length === 1 ? "log" : "logs"} (${
    formatBytes(bytes)
  })`;
  if (!request.yes) {
    if (!canAsk(io)) {
      throw new KmError(
        "USAGE",
        `km clear-logs would delete ${what} from "${logDir}", and cannot ask: stdin is not a ` +
          "terminal",
        "pass --yes to delete them without asking",
      );
    }
    io.out.write(`km will delete ${what}:\n${plan.remove.map(listing).join("")}`);
    if (!await askYesNo("Delete them?", io)) {
      io.out.write("nothing deleted\n");
      return 0;
    }
  }
  const { removed, failed } = await removeSessionFiles(plan.remove);
  for (const { path, error } of failed) io.diagnostics.warn(`cannot delete "${path}": ${error}`);
  io.out.write(`deleted ${removed.length} of ${what}\n`);
  return failed.length > 0 ? 1 : 0;
}

function listing(file: InspectedFile): string {
  const when = new Date(file.mtimeMs).toISOString().slice(0, 16).replace("T", " ");
  return terminalSafe(
    `  ${file.path} (${file.facts.server ?? "?"}, last written ${when} UTC, ${
      formatBytes(file.size)
    })`,
  ) + "\n";
}
