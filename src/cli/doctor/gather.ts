/**
 * `km doctor`'s I/O edge: it looks at this machine and returns what it found as facts.ts's plain
 * data, judging nothing (report.ts does). Each look reuses the code the command concerned runs:
 * the configuration as loadConfig reads it, the compiler as opa_wasm.ts and policy_compiler.ts
 * choose it, the dashboard as `km ui --status` finds it, the clients as `km wrap --status` reads
 * them. It only reads, except for one empty file it creates and removes in each folder km
 * writes to, to learn whether km can.
 */
import { readTextIfThere } from "../../read_text_if_there.ts";
import { defaultDataDir, logDirOf } from "../../audit/paths.ts";
import type { Config } from "../../config/config.ts";
import { ignoredWarning, loadConfig, type Loaded } from "../../config/load.ts";
import { discoveryPath } from "../../discovery.ts";
import type { Discovery } from "../../discovery.ts";
import { KmError } from "../../errors.ts";
import { findOpa } from "../../policy/build/find_opa.ts";
import { OPA_WASM_ENV, opaWasmPath, opaWasmSource } from "../../policy/build/opa_wasm.ts";
import { COMPILER_ENV } from "../../policy/build/policy_compiler.ts";
import { DENO_PIN, VERSION } from "../../version.ts";
import { answering } from "../ui_control.ts";
import { wrapStatus } from "../wrap_status.ts";
import type {
  CompilerFacts,
  ConfigFacts,
  DashboardFacts,
  DoctorFacts,
  FileFacts,
  FolderFacts,
} from "./facts.ts";

export interface GatherIo {
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly cwd: string;
  /** A file's text, or undefined when it does not exist. */
  readonly readFile: (path: string) => string | undefined;
  /** The configuration layer of the command line's flags, and `--config FILE`. */
  readonly flags: Record<string, unknown>;
  readonly configPath?: string;
  /** The discovery file of a dashboard whose pid runs, if any. */
  readonly findDashboard: (dataDir: string) => Discovery | undefined;
  /** GET `url` with the bearer token; the JSON body, or undefined. */
  readonly getJson: (url: string, token: string) => Promise<unknown>;
}

/** Everything `km doctor` reports on. */
export async function gatherFacts(io: GatherIo): Promise<DoctorFacts> {
  const env = (name: string) => io.env[name];
  const { config, facts: configFacts } = readConfig(io);
  // A configuration that does not load still has folders: the flags', else the defaults.
  const where = config ?? {
    dataDir: io.flags.dataDir as string | undefined,
    logDir: io.flags.logDir as string | undefined,
  };
  const dataDir = where.dataDir ?? defaultDataDir(env, io.os);
  const logDir = logDirOf(where, env, io.os);
  const clients = await import("../../clients/mod.ts");
  return {
    km: { version: VERSION, deno: Deno.version.deno, denoPin: DENO_PIN },
    compiler: compilerFacts(io),
    config: configFacts,
    folders: [folderFacts("data", dataDir, true), folderFacts("log", logDir, false)],
    ...(config?.logFile ? { logFile: fileFacts(config.logFile) } : {}),
    dashboard: await dashboardFacts(dataDir, io),
    clients: wrapStatus(clients, clients.CLIENTS, ["km"], io, readTextIfThere),
  };
}

function readConfig(io: GatherIo): { config?: Config; facts: ConfigFacts } {
  let loaded: Loaded;
  try {
    loaded = loadConfig({
      cwd: io.cwd,
      os: io.os,
      env: io.env,
      flags: io.flags,
      configPath: io.configPath,
      readFile: io.readFile,
    });
  } catch (error) {
    if (!(error instanceof KmError)) throw error;
    return {
      facts: {
        error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
        layers: [],
        files: [],
        warnings: [],
      },
    };
  }
  const { config } = loaded;
  const origin = config.origin;
  const project = origin?.files.find((f) => f.role === "project");
  const ignored = origin?.ignored ?? [];
  // The ignored settings are the project line's; the warning that names them is not repeated.
  const repeated = project && ignored.length > 0 ? ignoredWarning(project.path, ignored) : "";
  return {
    config,
    facts: {
      layers: loaded.layers.map((l) => l.source),
      files: loaded.files,
      ...(project
        ? {
          project: {
            path: project.path,
            trust: project.trust,
            ignored: ignored.map((i) => `"${i.key}" ${i.reason}`),
          },
        }
        : {}),
      warnings: loaded.warnings.filter((w) => w !== repeated),
      ...(config.policy.path === undefined ? {} : { policyPath: config.policy.path }),
    },
  };
}

function compilerFacts(io: GatherIo): CompilerFacts {
  const env = (name: string) => io.env[name];
  const source = opaWasmSource(env);
  const wasm = typeof source === "string"
    ? {
      path: source,
      from: source === io.env[OPA_WASM_ENV]
        ? "KM_OPA_WASM" as const
        : source === opaWasmPath()
        ? ".tools" as const
        : "embedded" as const,
      ...sizeOf(source),
    }
    : { path: "embedded", from: "embedded" as const, found: true, bytes: source.length };
  const asked = io.env[COMPILER_ENV] || undefined;
  if (asked === undefined || asked === "wasm") return { wasm, ...(asked ? { asked } : {}) };
  const opa = asked === "opa"
    ? findOpa({ env, isFile, os: io.os })
    : isFile(asked)
    ? asked
    : undefined;
  return { wasm, asked, ...(opa === undefined ? {} : { opa }) };
}

function sizeOf(path: string): { found: boolean; bytes?: number } {
  try {
    const info = Deno.statSync(path);
    return info.isFile ? { found: true, bytes: info.size } : { found: false };
  } catch {
    return { found: false };
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function folderFacts(
  role: "data" | "log",
  path: string | undefined,
  recursive: boolean,
): FolderFacts {
  const none = { role, exists: false, bytes: 0, sessions: 0 };
  if (path === undefined) return none;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { ...none, path };
    return { ...none, path, exists: true, writable: false, problem: (error as Error).message };
  }
  if (!info.isDirectory) {
    return { ...none, path, exists: true, writable: false, problem: "it is not a folder" };
  }
  const problem = writeProblem(path);
  const { bytes, sessions } = contents(path, recursive);
  return {
    role,
    path,
    exists: true,
    writable: problem === undefined,
    ...(problem === undefined ? {} : { problem }),
    bytes,
    sessions,
  };
}

/** Why a file cannot be created (and removed) in `dir`, or undefined when it can. */
function writeProblem(dir: string): string | undefined {
  const probe = `${dir.replace(/[\\/]+$/, "")}/.km-doctor-${Deno.pid}-${
    crypto.randomUUID().slice(0, 8)
  }.tmp`;
  try {
    Deno.writeFileSync(probe, new Uint8Array(), { createNew: true, mode: 0o600 });
  } catch (error) {
    return (error as Error).message;
  }
  try {
    Deno.removeSync(probe);
  } catch (error) {
    return `created ${probe} but cannot remove it: ${(error as Error).message}`;
  }
  return undefined;
}

/** Bytes of the files in `dir` (and below, when `recursive`), and its session files. */
function contents(dir: string, recursive: boolean): { bytes: number; sessions: number } {
  let bytes = 0;
  let sessions = 0;
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return { bytes, sessions };
  }
  for (const entry of entries) {
    const path = `${dir.replace(/[\\/]+$/, "")}/${entry.name}`;
    if (entry.isFile) {
      if (entry.name.endsWith(".jsonl")) sessions++;
      try {
        bytes += Deno.statSync(path).size;
      } catch {
        // gone since it was listed
      }
    } else if (entry.isDirectory && recursive) {
      bytes += contents(path, true).bytes;
    }
  }
  return { bytes, sessions };
}

function fileFacts(path: string): FileFacts {
  try {
    const info = Deno.statSync(path);
    try {
      // Opened to append, nothing written: whether km could add its records.
      Deno.openSync(path, { append: true }).close();
      return { path, exists: true, writable: true, bytes: info.size };
    } catch (error) {
      return { path, exists: true, writable: false, problem: (error as Error).message, bytes: 0 };
    }
  } catch {
    return { path, exists: false, bytes: 0 };
  }
}

async function dashboardFacts(
  dataDir: string | undefined,
  io: GatherIo,
): Promise<DashboardFacts> {
  if (dataDir === undefined) return { state: "no data folder" };
  const discovery = discoveryPath(dataDir);
  const state = await answering(dataDir, io);
  if (state === "none") return { state: "not running", discovery };
  const found = "sessions" in state ? state.found : state;
  return {
    state: "sessions" in state ? "running" : "not answering",
    discovery,
    url: found.url.replace(/[?#].*$/, ""),
    pid: found.pid,
    version: found.version,
    logDir: found.logDir,
    ...("sessions" in state ? { sessions: state.sessions.length } : {}),
  };
}
