/**
 * `km pins list|diff|accept|reset`: a person's view of the definitions km pinned per server
 * (`<dataDir>/pins/<id>.json`, src/pins/): which servers have pins, what changed since, and
 * making the latest definitions the pins or forgetting a server's pins. The files are read and
 * written here; what to show and what to write is src/pins/manage.ts. Nothing goes to the
 * audit log: accept and reset print what they did.
 */
import { readPinFolder } from "../pins/pin_folder.ts";
import { parseMixed } from "./mixed_options.ts";
import { defaultDataDir, serverNameOf } from "../audit/paths.ts";
import type { Config } from "../config/config.ts";
import { type Diagnostics, terminalSafe, type TextWriter } from "../diagnostics.ts";
import { askYesNo, canAsk, type ConfirmIo } from "./confirm.ts";
import { KmError } from "../errors.ts";
import { LIST_KINDS } from "../pins/definition.ts";
import {
  accept,
  changesOf,
  describe,
  diffText,
  findServer,
  type PinFileEntry,
  summarize,
} from "../pins/manage.ts";
import { pinFileText, writeFileAtomically } from "../pins/pin_file.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION } from "./common_options.ts";
import type { CommandInfo } from "./help.ts";

export const PINS_COMMAND: CommandInfo = {
  name: "pins",
  summary: "the tool definitions km pinned per server: list, diff, accept, reset",
  usage: "km pins list [--server NAME] | diff <server> [name] | accept <server> [name] [--yes] | " +
    "reset <server> [--yes]",
  options: [
    { name: "server", kind: "value", valueName: "NAME", description: "list: only this server" },
    { name: "yes", short: "y", kind: "boolean", description: "accept or reset without asking" },
    DATA_DIR_OPTION,
    CONFIG_OPTION,
    HELP_OPTION,
  ],
  details: `km pins each tool's, prompt's and resource template's definition the first time a
server lists it, and reports later changes against the pin (docs/policy.md, "Pins").

  list             servers with pins: id, reported name, command, pins per kind, changes seen
  diff <server>    what sessions last saw differ from the pins: each field, the labels added
  accept <server>  make the latest definitions seen the pins (all, or the one named), so they
                   are no longer "changed"; the next session compares with them
  reset <server>   forget the server's pins: the next session pins what it lists

<server> is the identity id (or its first 6+ characters), the name the server reports, or
km's name for its command. accept and reset ask at a terminal; otherwise they need --yes.
A session that is running keeps the pins it loaded until it ends.`,
};

export interface PinsIo extends ConfirmIo {
  readonly out: TextWriter;
  readonly diagnostics: Diagnostics;
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly now?: () => number;
}

type Values = Readonly<Record<string, string | boolean | string[]>>;

/** The pin folder the configuration names; throws USAGE when there is none. */
export function pinFolder(config: Config, env: Readonly<Record<string, string>>, os: string) {
  const dataDir = config.dataDir ?? defaultDataDir((name) => env[name], os);
  if (dataDir === undefined) {
    throw new KmError("USAGE", "km has no data folder to find pins in", "pass --data-dir DIR");
  }
  return `${dataDir}${os === "windows" ? "\\" : "/"}pins`;
}

/** Options may come before or after the words (`accept srv --yes`). */
export function parsePinsArgs(args: readonly string[], leading: Values) {
  const { values, positionals } = parseMixed(args, PINS_COMMAND.options, "pins", leading);
  return { values, words: positionals };
}

const VERBS = { list: [0, 0], diff: [1, 2], accept: [1, 2], reset: [1, 1] } as const;

/** Runs `km pins <words>` over the pin folder `dir`; returns the exit code. Throws KmError. */
export async function runPins(
  dir: string,
  words: readonly string[],
  values: Values,
  io: PinsIo,
): Promise<number> {
  const [verb, ...args] = words;
  if (!Object.hasOwn(VERBS, verb ?? "")) {
    throw new KmError(
      "USAGE",
      verb === undefined
        ? "km pins needs a command: list, diff, accept or reset"
        : `unknown pins command "${verb}": expected list, diff, accept or reset`,
      `usage: ${PINS_COMMAND.usage}`,
    );
  }
  const [min, max] = VERBS[verb as keyof typeof VERBS];
  if (args.length < min || args.length > max) {
    throw new KmError(
      "USAGE",
      args.length < min
        ? `km pins ${verb} needs the server: its id, reported name or km's name for it`
        : `km pins ${verb}: unexpected argument "${args[max]}"`,
      `usage: ${PINS_COMMAND.usage}`,
    );
  }
  if (values.server !== undefined && verb !== "list") {
    throw new KmError("USAGE", `--server is for km pins list; km pins ${verb} takes the server`);
  }
  const entries = await readPinFiles(dir, io.diagnostics);
  const server = (query: string) => {
    try {
      return findServer(entries, query, serverNameOf);
    } catch (error) {
      throw new KmError("USAGE", `${(error as Error).message} (pins in "${dir}")`);
    }
  };
  // What servers wrote (names, descriptions) reaches the terminal only made safe, line by line.
  const safe = (text: string) => io.out.write(text.split("\n").map(terminalSafe).join("\n"));
  switch (verb) {
    case "list": {
      const shown = values.server === undefined ? entries : [server(values.server as string)];
      if (shown.length === 0) safe(`no server has pins in "${dir}"\n`);
      for (const entry of shown) safe(summaryText(entry));
      return 0;
    }
    case "diff": {
      const entry = server(args[0]);
      const changes = changesOrUsage(entry, args[1]);
      safe(`${describe(entry)}\n`);
      safe(changes.length > 0 ? diffText(changes) : "nothing changed since pinned\n");
      return 0;
    }
    case "accept": {
      const entry = server(args[0]);
      const now = new Date((io.now ?? Date.now)()).toISOString();
      const { doc, accepted } = (() => {
        try {
          return accept(entry.doc, now, args[1]);
        } catch (error) {
          throw new KmError("USAGE", `${describe(entry)}: ${(error as Error).message}`);
        }
      })();
      if (accepted.length === 0) {
        safe(`${describe(entry)}: nothing changed since pinned, nothing to accept\n`);
        return 0;
      }
      const what = accepted.map((c) => `${c.name} (${c.kind})`).join(", ");
      if (!await confirm(`Accept as the pins of ${describe(entry)}: ${what}?`, values, io)) {
        safe("nothing accepted\n");
        return 0;
      }
      write(dir, entry, pinFileText(entry.doc.identity ?? emptyIdentity, doc.pins, doc.seen));
      for (const c of accepted) {
        safe(
          `accepted ${c.kind} ${c.name}: pinned ${c.hash}${
            c.added_labels.length > 0 ? ` (labels it added: ${c.added_labels.join(", ")})` : ""
          }\n`,
        );
      }
      return 0;
    }
    default: {
      const entry = server(args[0]);
      if (!await confirm(`Forget every pin of ${describe(entry)}?`, values, io)) {
        safe("nothing reset\n");
        return 0;
      }
      try {
        await Deno.remove(entry.path);
      } catch (error) {
        throw new KmError("INTERNAL", `cannot remove "${entry.path}": ${(error as Error).message}`);
      }
      const pinned = LIST_KINDS.reduce((n, k) => n + entry.doc.pins[k].size, 0);
      safe(`reset ${describe(entry)}: forgot ${pinned} pins; the next session pins anew\n`);
      return 0;
    }
  }
}

const emptyIdentity = { command: [], server_name: "" };

function changesOrUsage(entry: PinFileEntry, name?: string) {
  try {
    return changesOf(entry.doc, name);
  } catch (error) {
    throw new KmError("USAGE", `${describe(entry)}: ${(error as Error).message}`);
  }
}

function write(dir: string, entry: PinFileEntry, text: string) {
  try {
    writeFileAtomically(dir, entry.path, text);
  } catch (error) {
    throw new KmError("INTERNAL", `cannot write "${entry.path}": ${(error as Error).message}`);
  }
}

function summaryText(entry: PinFileEntry): string {
  const s = summarize(entry);
  const per = (n: Record<string, number>) =>
    LIST_KINDS.filter((k) => n[k] > 0).map((k) => `${n[k]} ${k.replace("_", " ")}`).join(", ") ||
    "none";
  return `${s.id}  ${s.server_name || "(no reported name)"}\n` +
    `  command: ${s.command.join(" ")}\n` +
    `  pinned: ${per(s.pinned)}${s.last_pinned ? ` (latest ${s.last_pinned})` : ""}\n` +
    `  changed since pinned: ${per(s.changed)}${
      s.last_change ? ` (last seen ${s.last_change})` : ""
    }\n`;
}

async function confirm(question: string, values: Values, io: PinsIo): Promise<boolean> {
  if (values.yes === true) return true;
  if (!canAsk(io)) {
    throw new KmError(
      "USAGE",
      `${question.replace(/\?$/, "")}: km cannot ask, stdin is not a terminal`,
      "pass --yes to do it without asking",
    );
  }
  return await askYesNo(question, io);
}

/** The pin files of `dir`; unreadable ones are named in a warning and left out. */
async function readPinFiles(dir: string, diagnostics: Diagnostics): Promise<PinFileEntry[]> {
  let folder;
  try {
    folder = await readPinFolder(dir);
  } catch (error) {
    throw new KmError(
      "INTERNAL",
      `cannot read the pin folder "${dir}": ${(error as Error).message}`,
    );
  }
  for (const { path, error } of folder.skipped) {
    diagnostics.warn(`skipping "${path}": not a pin file (${error})`);
  }
  return folder.entries;
}
