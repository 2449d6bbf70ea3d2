/**
 * What `km doctor` finds out about this machine, as plain data: gather.ts collects it (the only
 * I/O), report.ts judges it. Kept apart so that every judgement is testable without the machine,
 * and so that `km doctor --json` can print the facts a bug report needs alongside the verdicts.
 */
import type { ClientStatus } from "../wrap_status.ts";

export interface DoctorFacts {
  readonly km: {
    readonly version: string;
    /** The Deno km runs on. */
    readonly deno: string;
    /** The Deno km is developed and tested with (src/version.ts). */
    readonly denoPin: string;
  };
  readonly compiler: CompilerFacts;
  readonly config: ConfigFacts;
  /** km's data folder and its log folder (undefined: no home to put them in). */
  readonly folders: readonly FolderFacts[];
  /** `logFile`: every session's records in one file, instead of the log folder. */
  readonly logFile?: FileFacts;
  readonly dashboard: DashboardFacts;
  readonly clients: readonly ClientStatus[];
}

export interface CompilerFacts {
  /** km's own OPA compiler (WebAssembly): where it is looked for and whether it is there. */
  readonly wasm: {
    /** Its path, or `embedded` when a package supplied its bytes. */
    readonly path: string;
    /** How the path was chosen: `KM_OPA_WASM`, or km's `.tools` folder. */
    readonly from: "KM_OPA_WASM" | ".tools" | "embedded";
    readonly found: boolean;
    readonly bytes?: number;
  };
  /** `KM_POLICY_COMPILER`, when set (not empty). */
  readonly asked?: string;
  /** The `opa` executable it names or that findOpa found; undefined: none found. */
  readonly opa?: string;
}

export interface ConfigFacts {
  /** Why the configuration does not load (then nothing else of it is known). */
  readonly error?: { readonly message: string; readonly hint?: string };
  /** The sources applied, highest precedence first (as `km config show` lists them). */
  readonly layers: readonly string[];
  /** The config files looked for. */
  readonly files: readonly {
    readonly path: string;
    readonly role: string;
    readonly found: boolean;
  }[];
  /** The project file read (./km.jsonc, or the one --config / KM_CONFIG names). */
  readonly project?: {
    readonly path: string;
    readonly trust: "explicit" | "trusted" | "untrusted" | "user";
    /** Settings left out because the file is not trusted: each key and what it would do. */
    readonly ignored: readonly string[];
  };
  /**
   * What loading the configuration warns about (unknown KM_* variables, a damaged trust
   * record...), besides the project file's ignored settings, which `project` holds.
   */
  readonly warnings: readonly string[];
  /** `policy.path`, when set. */
  readonly policyPath?: string;
}

/** A folder km writes to. */
export interface FolderFacts {
  readonly role: "data" | "log";
  /** Undefined when no home folder is set, so there is no default place. */
  readonly path?: string;
  readonly exists: boolean;
  /** Whether a file could be created and removed in it (undefined: it does not exist). */
  readonly writable?: boolean;
  /** Why it is not writable, or cannot be read. */
  readonly problem?: string;
  /** Bytes of the files in it (and below it). */
  readonly bytes: number;
  /** Session files (`*.jsonl`) directly in it. */
  readonly sessions: number;
}

export interface FileFacts {
  readonly path: string;
  readonly exists: boolean;
  readonly writable?: boolean;
  readonly problem?: string;
  readonly bytes: number;
}

export type DashboardFacts =
  | { readonly state: "no data folder" }
  | { readonly state: "not running"; readonly discovery: string }
  | {
    readonly state: "running" | "not answering";
    readonly discovery: string;
    readonly url: string;
    readonly pid: number;
    readonly version: string;
    readonly logDir: string;
    /** Its sessions, when it answered. */
    readonly sessions?: number;
  };
