/**
 * `km doctor`'s judgement: the facts gathered about this machine (facts.ts) become one line per
 * thing checked, each OK, WARN or FAIL with a fix where there is one. Pure: no I/O, no clock, so
 * each verdict is a unit test. FAIL is kept for what stops km from working (a folder it cannot
 * write, a configuration that does not load, a compiler asked for and missing); what only
 * weakens or surprises is a WARN.
 */
import { terminalSafe } from "../../diagnostics.ts";
import { formatBytes } from "../../monitor/report.ts";
import type { ClientStatus, FileStatus } from "../wrap_status.ts";
import type {
  CompilerFacts,
  ConfigFacts,
  DashboardFacts,
  DoctorFacts,
  FileFacts,
  FolderFacts,
} from "./facts.ts";

export type Status = "OK" | "WARN" | "FAIL";

/** One thing checked. */
export interface Line {
  readonly status: Status;
  /** What was checked: `km`, `policy compiler`, `config`, `log folder`, a client's name... */
  readonly area: string;
  readonly text: string;
  /** What to do about it. */
  readonly fix?: string;
}

/** Every line of the report, in the order of facts.ts. */
export function doctorReport(facts: DoctorFacts): Line[] {
  const logFolder = facts.folders.find((f) => f.role === "log")?.path;
  return [
    ...kmLines(facts.km),
    ...compilerLines(facts.compiler, facts.config.policyPath),
    ...configLines(facts.config),
    ...facts.folders.map(folderLine),
    ...(facts.logFile ? [logFileLine(facts.logFile)] : []),
    ...dashboardLines(facts.dashboard, facts.km.version, facts.logFile ? undefined : logFolder),
    ...facts.clients.flatMap(clientLines),
  ];
}

/** 0 when nothing FAILs, 1 otherwise. */
export function exitCode(lines: readonly Line[]): number {
  return lines.some((l) => l.status === "FAIL") ? 1 : 0;
}

/** How many lines of each status. */
export function counts(lines: readonly Line[]): Record<Status, number> {
  const out: Record<Status, number> = { OK: 0, WARN: 0, FAIL: 0 };
  for (const line of lines) out[line.status]++;
  return out;
}

/** The report for a person: a line per check, its fix below it, and the counts. */
export function reportText(lines: readonly Line[]): string {
  const out = lines.flatMap((l) => [
    `${l.status.padEnd(4)}  ${terminalSafe(`${l.area}: ${l.text}`)}`,
    ...(l.fix ? [`      fix: ${terminalSafe(l.fix)}`] : []),
  ]);
  const n = counts(lines);
  out.push(`\n${n.OK} OK, ${n.WARN} WARN, ${n.FAIL} FAIL`);
  return `${out.join("\n")}\n`;
}

/** `km doctor --json`: the verdicts and the facts they were drawn from. */
export function reportJson(lines: readonly Line[], facts: DoctorFacts): string {
  const document = { ok: exitCode(lines) === 0, counts: counts(lines), lines, facts };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function kmLines(km: DoctorFacts["km"]): Line[] {
  const text = `km ${km.version} on deno ${km.deno}`;
  if (km.deno === km.denoPin) return [{ status: "OK", area: "km", text }];
  return [{
    status: "WARN",
    area: "km",
    text: `${text}; km is developed and tested with deno ${km.denoPin}`,
    fix: `run km with deno ${km.denoPin} (npx -y deno@${km.denoPin} run …, or reinstall ` +
      "it with deno task install)",
  }];
}

const AREA_COMPILER = "policy compiler";

function compilerLines(c: CompilerFacts, policyPath: string | undefined): Line[] {
  const wasm = c.wasm;
  const size = wasm.bytes === undefined ? "" : ` (${formatBytes(wasm.bytes)})`;
  const where = wasm.from === "KM_OPA_WASM" ? " (KM_OPA_WASM)" : "";
  const lines: Line[] = [];
  const opaAsked = c.asked !== undefined && c.asked !== "wasm";
  if (opaAsked) {
    lines.push(
      c.opa !== undefined
        ? {
          status: "OK",
          area: AREA_COMPILER,
          text: `the opa executable ${c.opa} (KM_POLICY_COMPILER=${c.asked})`,
        }
        : {
          status: "FAIL",
          area: AREA_COMPILER,
          text: c.asked === "opa"
            ? "KM_POLICY_COMPILER=opa, but no opa executable was found (in .tools/bin or on PATH)"
            : `KM_POLICY_COMPILER names "${c.asked}", which is not a file`,
          fix: "install it (deno run -A scripts/install_opa.ts), or unset KM_POLICY_COMPILER " +
            "to use km's own compiler",
        },
    );
  }
  if (wasm.found) {
    lines.push({
      status: "OK",
      area: AREA_COMPILER,
      text: `km's OPA (WebAssembly) at ${wasm.path}${where}${size}` +
        (opaAsked ? "; not used while KM_POLICY_COMPILER names an opa" : ""),
    });
  } else if (opaAsked && c.opa !== undefined) {
    lines.push({
      status: "OK",
      area: AREA_COMPILER,
      text: `km's OPA (WebAssembly) is not at ${wasm.path}${where}; not needed while ` +
        "KM_POLICY_COMPILER names an opa",
    });
  } else {
    const yours = policyPath !== undefined && !/\.(wasm|tar\.gz|tgz|tar)$/i.test(policyPath) &&
        policyPath !== "none"
      ? ` (your policy.path "${policyPath}" may need it)`
      : "";
    lines.push({
      status: "WARN",
      area: AREA_COMPILER,
      text: `km's OPA (WebAssembly) is not at ${wasm.path}${where}: policy directories and ` +
        `.rego files cannot be compiled${yours}; the embedded default policy, bundles and ` +
        ".wasm modules still load",
      fix: "build it: deno task setup (or: deno run -A scripts/build_opa_wasm.ts); or compile " +
        "with an opa executable: KM_POLICY_COMPILER=opa",
    });
  }
  return lines;
}

function configLines(c: ConfigFacts): Line[] {
  if (c.error) {
    return [{ status: "FAIL", area: "config", text: c.error.message, fix: c.error.hint }];
  }
  const lines: Line[] = [{
    status: "OK",
    area: "config",
    text: `in effect, highest first: ${[...c.layers, "defaults"].join(" > ")}`,
  }];
  const p = c.project;
  const looked = c.files.find((f) => f.role === "project");
  if (!p) {
    if (looked) {
      lines.push({ status: "OK", area: "config", text: `no project file at ${looked.path}` });
    }
  } else if (p.trust === "explicit") {
    lines.push({
      status: "OK",
      area: "config",
      text: `${p.path}: named by --config or KM_CONFIG, applied as written`,
    });
  } else if (p.trust === "trusted") {
    lines.push({
      status: "OK",
      area: "config",
      text: `${p.path}: trusted (km config trust), applied as written`,
    });
  } else if (p.ignored.length === 0) {
    lines.push({
      status: "OK",
      area: "config",
      text: `${p.path}: not trusted; it only tightens your settings, so all of it applies`,
    });
  } else {
    lines.push({
      status: "WARN",
      area: "config",
      text: `${p.path}: not trusted (it may only tighten your settings), so km ignores ` +
        `${p.ignored.join("; ")}`,
      fix: `read it, then trust it as it is now: km config trust ${p.path}`,
    });
  }
  for (const warning of c.warnings) lines.push({ status: "WARN", area: "config", text: warning });
  return lines;
}

function folderLine(f: FolderFacts): Line {
  const area = `${f.role} folder`;
  const option = f.role === "log" ? "--log-dir DIR (logDir)" : "--data-dir DIR (dataDir)";
  if (f.path === undefined) {
    return {
      status: "FAIL",
      area,
      text: "none: neither HOME nor XDG_DATA_HOME is set",
      fix: `set HOME, or pass ${option}`,
    };
  }
  if (!f.exists) {
    return {
      status: "OK",
      area,
      text: `${f.path}: not created yet (km creates it when it first needs it)`,
    };
  }
  if (!f.writable) {
    return {
      status: "FAIL",
      area,
      text: `${f.path} is not writable${f.problem ? `: ${f.problem}` : ""}`,
      fix: `make it writable (chmod u+rwx ${f.path}), or use another: ${option}`,
    };
  }
  const sessions = f.role === "log"
    ? `, ${f.sessions} session ${f.sessions === 1 ? "file" : "files"}`
    : "";
  return { status: "OK", area, text: `${f.path}: writable, ${formatBytes(f.bytes)}${sessions}` };
}

function logFileLine(f: FileFacts): Line {
  const area = "log file";
  if (!f.exists) {
    return { status: "OK", area, text: `${f.path} (logFile): not created yet` };
  }
  if (!f.writable) {
    return {
      status: "FAIL",
      area,
      text: `${f.path} (logFile) cannot be appended to${f.problem ? `: ${f.problem}` : ""}`,
      fix: "make it writable, or remove logFile (--log-file) to write a file per session",
    };
  }
  return {
    status: "OK",
    area,
    text: `${f.path} (logFile, every session): writable, ${formatBytes(f.bytes)}`,
  };
}

function dashboardLines(
  d: DashboardFacts,
  version: string,
  logFolder: string | undefined,
): Line[] {
  const area = "dashboard";
  switch (d.state) {
    case "no data folder":
      return [];
    case "not running":
      return [{
        status: "OK",
        area,
        text: `not running (none in ${d.discovery}); km ui starts it`,
      }];
    case "not answering":
      return [{
        status: "WARN",
        area,
        text: `${d.discovery} names pid ${d.pid}, which does not answer at ${d.url}`,
        fix: `if no km ui runs, delete ${d.discovery}`,
      }];
    case "running": {
      const lines: Line[] = [{
        status: "OK",
        area,
        text: `running at ${d.url} (pid ${d.pid}, km ${d.version}${
          d.sessions === undefined ? "" : `, ${d.sessions} sessions`
        }); km ui --open signs you in`,
      }];
      if (d.version !== version) {
        lines.push({
          status: "WARN",
          area,
          text: `the running dashboard is km ${d.version}, this km is ${version}`,
          fix: "restart it: km ui stop, then km ui",
        });
      }
      if (logFolder !== undefined && d.logDir !== logFolder) {
        lines.push({
          status: "WARN",
          area,
          text: `it reads ${d.logDir}, not your log folder ${logFolder}: ` +
            "your sessions are not shown there",
          fix: "restart it with your settings: km ui stop, then km ui",
        });
      }
      return lines;
    }
  }
}

function clientLines(client: ClientStatus): Line[] {
  const found = client.files.filter((f) => f.found);
  if (found.length === 0) {
    return [{ status: "OK", area: client.title, text: "no config file found (not set up here)" }];
  }
  return found.map((file) => fileLine(client, file));
}

function fileLine(client: ClientStatus, file: FileStatus): Line {
  const area = client.title;
  if (file.error !== undefined) {
    return {
      status: "WARN",
      area,
      text: `${file.path} cannot be read: ${file.error}`,
      fix: "correct the file (km wrap edits nothing until it parses)",
    };
  }
  const remote = file.servers.filter((s) => s.state === "not covered");
  const stdio = file.servers.filter((s) => s.state !== "not covered");
  const open = stdio.filter((s) => s.state === "not wrapped");
  const notCovered = remote.length > 0
    ? `; ${remote.length} remote (not covered: km relays stdio only)`
    : "";
  if (stdio.length === 0) {
    return { status: "OK", area, text: `${file.path}: no stdio servers${notCovered}` };
  }
  if (open.length === 0) {
    return {
      status: "OK",
      area,
      text: `${file.path}: ${count(stdio.length, "stdio server")}, all behind km${notCovered}`,
    };
  }
  return {
    status: "WARN",
    area,
    text: `${file.path}: ${open.length} of ${count(stdio.length, "stdio server")} not behind ` +
      `km: ${open.map((s) => s.server).join(", ")}${notCovered}`,
    fix: `km wrap ${client.id}${file.role === "project" ? " (in this folder)" : ""}` +
      " (km wrap --status lists each server)",
  };
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
