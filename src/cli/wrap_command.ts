/**
 * `km wrap` and `km unwrap`: put km in front of the stdio servers of an MCP client's config
 * files, or take it away. The edge of src/clients/: it finds and reads the files, prints what
 * would change or changes it (a backup beside each file, then an atomic replace that keeps the
 * file's mode). src/clients/ is imported dynamically, so its parsers load only for these
 * commands. docs/clients.md is the user's guide.
 */
import { readTextIfThere } from "../read_text_if_there.ts";
import { parseMixed } from "./mixed_options.ts";
import type { Diagnostics, TextWriter } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { suggest } from "../suggest.ts";
import type { Client, ConfigFile } from "../clients/clients.ts";
import type { Outcome, Result } from "../clients/wrap.ts";
import { HELP_OPTION } from "./common_options.ts";
import type { CommandInfo } from "./help.ts";
import type { OptionSpec } from "./options.ts";
import { statusText, wrapStatus } from "./wrap_status.ts";

/** What the wrap commands need of the CLI's io. */
export interface WrapIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly cwd: string;
  readonly now?: () => Date;
}

type Values = Readonly<Record<string, string | boolean | string[]>>;

const SHARED_OPTIONS: readonly OptionSpec[] = [
  {
    name: "server",
    kind: "list",
    valueName: "NAME",
    description: "only this server (repeat for more; default: every stdio server)",
  },
  {
    name: "config",
    kind: "value",
    valueName: "FILE",
    description: "the client's config file to edit, instead of the ones found",
  },
  { name: "all", kind: "boolean", description: "every client whose config files are found" },
  { name: "dry-run", kind: "boolean", description: "print the diff of each file; write nothing" },
  {
    name: "km",
    kind: "value",
    valueName: "COMMAND",
    description: 'the command that runs km, written into the config (default "km")',
  },
];

const CLIENT_LIST = "claude-desktop, claude-code, cursor, vscode, windsurf, codex, gemini";

export const WRAP_COMMAND: CommandInfo = {
  name: "wrap",
  summary: "put km in front of an MCP client's servers (edits its config)",
  usage: `km wrap <client>|--all [--server NAME]... [--config FILE] [--dry-run] [--km COMMAND]
  km wrap --status [<client>]
  km wrap --print-managed <client> [--config FILE] [--km COMMAND]`,
  options: [
    ...SHARED_OPTIONS,
    {
      name: "status",
      kind: "boolean",
      description: "list clients, config files, servers, wrapped or not",
    },
    {
      name: "print-managed",
      kind: "boolean",
      description: "print the managed settings that make km mandatory for the client",
    },
    HELP_OPTION,
  ],
  details: `Clients: ${CLIENT_LIST}.
Each stdio server's command becomes \`km monitor --name <server> -- <command> <args…>\`; env,
cwd and every other member are kept, and so are the file's comments and formatting. Remote
servers (url, httpUrl, serverUrl, type http/sse) are listed as not covered. A server already
behind km is left alone. Before changing a file, km writes a backup beside it
(<file>.km-backup-<time>). See docs/clients.md.`,
};

export const UNWRAP_COMMAND: CommandInfo = {
  name: "unwrap",
  summary: "take km away from an MCP client's servers (undoes km wrap)",
  usage: "km unwrap <client>|--all [--server NAME]... [--config FILE] [--dry-run] [--km COMMAND]",
  options: [...SHARED_OPTIONS, HELP_OPTION],
  details: `Clients: ${CLIENT_LIST}.
When a file is exactly as km wrap left it, its backup's bytes are restored; otherwise each
wrapped server gets its own command back in place, and the rest of the file is kept.`,
};

type Clients = typeof import("../clients/mod.ts");

/** Runs `km wrap` or `km unwrap` with the options cli.ts parsed and the words after them. */
export async function runWrap(
  verb: "wrap" | "unwrap",
  values: Values,
  rest: readonly string[],
  io: WrapIo,
): Promise<number> {
  const info = verb === "wrap" ? WRAP_COMMAND : UNWRAP_COMMAND;
  // Options may come before and after the client's name: `km wrap cursor --dry-run`.
  const { values: options, positionals } = parseMixed(rest, info.options, verb, values);
  const clients = await import("../clients/mod.ts");
  const km = kmCommand(clients, options.km as string | undefined);
  if (options.status) return status(clients, positionals, km, io);
  const chosen = choose(clients, options, positionals, verb);
  if (options["print-managed"]) return printManaged(clients, chosen, options, km, io);
  const only = options.server ? new Set(options.server as string[]) : undefined;
  const plans = chosen.flatMap((client) =>
    filesOf(clients, client, options, io, !options.all).map((file) =>
      plan(clients, verb, client, file, km, only)
    )
  );
  if (plans.length === 0) {
    throw new KmError(
      "USAGE",
      "No MCP client config file was found",
      "pass <client> --config FILE",
    );
  }
  if (only) {
    const known = new Set(plans.flatMap((p) => p.names));
    for (const name of only) {
      if (!known.has(name)) {
        const hint = suggest(name, [...known]);
        throw new KmError(
          "USAGE",
          `No server named "${name}" in ${plans.map((p) => p.path).join(", ")}` +
            (hint ? ` (did you mean "${hint}"?)` : ""),
        );
      }
    }
  }
  for (const p of plans) report(p, io.out);
  if (options["dry-run"]) {
    for (const p of plans) {
      io.out.write(clients.unifiedDiff(p.before, p.after, p.path, `${p.path} (after km ${verb})`));
    }
    return 0;
  }
  for (const p of plans.filter((p) => p.after !== p.before)) {
    const backup = clients.backupPath(p.path, (io.now ?? (() => new Date()))());
    replace(p.path, p.before, p.after, backup);
    io.out.write(`${p.path}: written; the previous bytes are in ${backup}\n`);
  }
  return 0;
}

interface Plan {
  readonly title: string;
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly outcomes: readonly Outcome[];
  readonly names: readonly string[];
  readonly restored?: string;
}

function plan(
  clients: Clients,
  verb: "wrap" | "unwrap",
  client: Client,
  file: ConfigFile,
  km: readonly string[],
  only: ReadonlySet<string> | undefined,
): Plan {
  const reader = clients.readerFor(client);
  const before = Deno.readTextFileSync(file.path);
  const doc = reader(before, file.path);
  const names = doc.sites.map((s) => s.name);
  const base = { title: client.title, path: file.path, before, names };
  if (verb === "wrap") {
    return { ...base, ...fromResult(clients.wrapText(before, doc, { km, only })) };
  }
  const restored = clients.restore(
    before,
    doc,
    backupsOf(clients, file.path),
    clients.tryRead(reader, file.path),
    { km, only },
  );
  const structural = clients.unwrapText(before, doc, { km, only });
  return restored
    ? { ...base, after: restored.text, outcomes: structural.outcomes, restored: restored.backup }
    : { ...base, ...fromResult(structural) };
}

function fromResult(result: Result) {
  return { after: result.text, outcomes: result.outcomes };
}

function report(p: Plan, out: TextWriter): void {
  const lines = [`${p.title}: ${p.path}`];
  if (p.outcomes.length === 0) lines.push("  no servers");
  for (const o of p.outcomes) {
    lines.push(`  ${o.server}: ${o.state}${o.detail ? ` (${o.detail})` : ""}`);
  }
  if (p.restored) lines.push(`  restored byte for byte from ${p.restored}`);
  if (p.after === p.before) lines.push("  nothing to change");
  out.write(`${lines.join("\n")}\n`);
}

function status(
  clients: Clients,
  positionals: readonly string[],
  km: readonly string[],
  io: WrapIo,
) {
  const chosen = positionals.length > 0
    ? positionals.map((n) => named(clients, n))
    : clients.CLIENTS;
  io.out.write(statusText(wrapStatus(clients, chosen, km, io, readTextIfThere)));
  return 0;
}

function printManaged(
  clients: Clients,
  chosen: readonly Client[],
  options: Values,
  km: readonly string[],
  io: WrapIo,
): number {
  if (chosen.length !== 1) {
    throw new KmError("USAGE", "km wrap --print-managed takes one client");
  }
  const [client] = chosen;
  if (!clients.managedSnippet(client.id, [], km)) {
    throw new KmError(
      "USAGE",
      `${client.title} has no managed setting that can require km in front of its servers`,
      "deploy the wrapped config file with your device management instead (docs/clients.md)",
    );
  }
  const sites = filesOf(clients, client, options, io, true).flatMap((file) =>
    clients.readerFor(client)(Deno.readTextFileSync(file.path), file.path).sites
  );
  if (!sites.some((s) => s.kind === "stdio")) {
    throw new KmError("USAGE", `No stdio server found in ${client.title}'s config to list`);
  }
  const managed = clients.managedSnippet(client.id, sites, km)!;
  io.out.write(managed.text);
  io.diagnostics.info(managed.where);
  return 0;
}

function choose(clients: Clients, options: Values, positionals: readonly string[], verb: string) {
  if (options.all) {
    if (positionals.length > 0 || options.config) {
      throw new KmError("USAGE", `km ${verb} --all takes no client and no --config`);
    }
    return clients.CLIENTS;
  }
  if (positionals.length !== 1) {
    throw new KmError(
      "USAGE",
      positionals.length === 0
        ? `km ${verb} needs a client (${CLIENT_LIST}) or --all`
        : `km ${verb} takes one client, got "${positionals.join(" ")}"`,
      `run \`km ${verb} --help\``,
    );
  }
  return [named(clients, positionals[0])];
}

function named(clients: Clients, name: string): Client {
  const client = clients.clientNamed(name);
  if (!client) {
    const hint = suggest(name, clients.CLIENT_NAMES);
    throw new KmError(
      "USAGE",
      `unknown client "${name}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
      `clients: ${CLIENT_LIST}`,
    );
  }
  return client;
}

/** The client's files that exist (their real paths), or the one --config names. */
function filesOf(
  clients: Clients,
  client: Client,
  options: Values,
  io: WrapIo,
  required: boolean,
): ConfigFile[] {
  const given = options.config as string | undefined;
  const candidates = given
    ? [{ path: absolute(given, io), role: "user" as const }]
    : clients.configFiles(client.id, io);
  const found = candidates.flatMap((file) => {
    try {
      return [{ ...file, path: Deno.realPathSync(file.path) }];
    } catch {
      return [];
    }
  });
  if (found.length === 0 && required) {
    throw new KmError(
      "USAGE",
      `No ${client.title} config file found (looked for ${
        candidates.map((c) => c.path).join(", ") || "none: no home folder is set"
      })`,
      "pass --config FILE",
    );
  }
  return found;
}

function backupsOf(clients: Clients, path: string) {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const [dir, name] = [path.slice(0, cut) || "/", path.slice(cut + 1)];
  const backups = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isFile || !clients.isBackupOf(entry.name, name)) continue;
    const text = readTextIfThere(`${dir}/${entry.name}`);
    if (text !== undefined) backups.push({ name: `${dir}/${entry.name}`, text });
  }
  return backups;
}

/**
 * Writes `before` to `backup`, then replaces `path` with `after` in one rename, both with the
 * file's mode. Refuses when the file changed since it was read (a client rewriting it).
 */
function replace(path: string, before: string, after: string, backup: string): void {
  const mode = Deno.statSync(path).mode ?? undefined;
  if (Deno.readTextFileSync(path) !== before) {
    throw new KmError(
      "CONFIG_INVALID",
      `${path} changed while km was editing it; nothing was written to it`,
      "run the command again (quit the client first if it keeps rewriting the file)",
    );
  }
  writeAtomic(backup, before, mode);
  writeAtomic(path, after, mode);
}

/** Writes through a temporary file in the same folder and a rename; keeps `mode`. */
export function writeAtomic(path: string, text: string, mode: number | undefined): void {
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.writeTextFileSync(temp, text, { createNew: true, mode: mode ? mode & 0o7777 : undefined });
    if (mode) Deno.chmodSync(temp, mode & 0o7777);
    Deno.renameSync(temp, path);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw new KmError("CONFIG_INVALID", `Cannot write ${path}: ${(error as Error).message}`);
  }
}

function kmCommand(clients: Clients, text: string | undefined): string[] {
  if (text === undefined) return ["km"];
  let words: string[];
  try {
    words = clients.splitCommand(text);
  } catch (error) {
    throw new KmError("USAGE", `--km: ${(error as Error).message}`);
  }
  if (words.length === 0) throw new KmError("USAGE", "--km needs a command, got nothing");
  return words;
}

function absolute(path: string, io: WrapIo): string {
  if (/^([a-zA-Z]:)?[\\/]/.test(path)) return path;
  return `${io.cwd}${io.os === "windows" ? "\\" : "/"}${path}`;
}
