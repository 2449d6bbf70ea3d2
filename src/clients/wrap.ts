/**
 * Wrap and unwrap as pure functions over a config file's text: each stdio server's command
 * becomes km's (`km monitor --name NAME -- <command> <args…>`) by editing only the text of its
 * `command` string and the start of its `args` array, so comments, formatting and every other
 * member stay as they were. Unwrap removes exactly what wrap inserted; when the file has not
 * changed since a wrap, `restore` gives back the backup's bytes instead.
 */
import {
  type ConfigDocument,
  label,
  type Reader,
  shapeOf,
  type Site,
  type Span,
  type StdioSite,
  wrappedPrefix,
} from "./sites.ts";

/** What became of one server. */
export interface Outcome {
  readonly server: string;
  readonly state:
    | "wrapped"
    | "already wrapped"
    | "wrapped by hand"
    | "unwrapped"
    | "not wrapped"
    | "not selected"
    | "not covered";
  readonly detail?: string;
}

export interface Result {
  readonly text: string;
  readonly outcomes: readonly Outcome[];
}

export interface WrapOptions {
  /** km's command, as words (default ["km"]). */
  readonly km: readonly string[];
  /** Only these server names (default: all). */
  readonly only?: ReadonlySet<string>;
}

interface Edit {
  readonly span: Span;
  readonly text: string;
}

/** Puts km in front of every selected stdio server not already behind it. */
export function wrapText(text: string, doc: ConfigDocument, options: WrapOptions): Result {
  const edits: Edit[] = [];
  const outcomes = doc.sites.map((site): Outcome => {
    const server = label(site);
    if (site.kind !== "stdio") return { server, state: "not covered", detail: site.detail };
    const shape = shapeOf(site.command, site.args, options.km);
    if (shape.kind === "wrapped") return { server, state: "already wrapped" };
    if (shape.kind === "by-hand") return { server, state: "wrapped by hand" };
    if (options.only && !options.only.has(site.name)) return { server, state: "not selected" };
    edits.push(...wrapEdits(text, doc, site, options.km));
    return { server, state: "wrapped" };
  });
  return { text: applyEdits(text, edits), outcomes };
}

/** Takes km out of every selected server wrap put it in front of. */
export function unwrapText(
  text: string,
  doc: ConfigDocument,
  options: WrapOptions,
): Result {
  const edits: Edit[] = [];
  const outcomes = doc.sites.map((site): Outcome => {
    const server = label(site);
    if (site.kind !== "stdio") return { server, state: "not covered", detail: site.detail };
    const shape = shapeOf(site.command, site.args, options.km);
    if (shape.kind === "plain") return { server, state: "not wrapped" };
    if (shape.kind === "by-hand") {
      return {
        server,
        state: "wrapped by hand",
        detail: "left as is: not the shape km wrap writes",
      };
    }
    if (options.only && !options.only.has(site.name)) return { server, state: "not selected" };
    edits.push(...unwrapEdits(text, site, shape.at));
    return { server, state: "unwrapped" };
  });
  return { text: applyEdits(text, edits), outcomes };
}

/** A backup of a config file: its name (sortable by time) and text. */
export interface Backup {
  readonly name: string;
  readonly text: string;
}

/**
 * The unwrapped text from a backup, when the file is exactly what wrapping that backup gives
 * (nothing changed since): the backup's bytes, with any server it had wrapped itself unwrapped
 * too. Undefined when no backup fits, or when only some wrapped servers are to be unwrapped.
 * Backups are tried newest first.
 */
export function restore(
  text: string,
  doc: ConfigDocument,
  backups: readonly Backup[],
  read: (text: string) => ConfigDocument | undefined,
  options: WrapOptions,
): { text: string; backup: string } | undefined {
  const only = options.only;
  const wrapped = doc.sites.flatMap((site) => {
    if (site.kind !== "stdio") return [];
    const shape = shapeOf(site.command, site.args, options.km);
    return shape.kind === "wrapped" ? [{ site, km: shape.km }] : [];
  });
  if (wrapped.length === 0) return undefined;
  if (only && wrapped.some(({ site }) => !only.has(site.name))) return undefined;
  const names = new Set(wrapped.map(({ site }) => site.name));
  for (const backup of [...backups].sort((a, b) => b.name.localeCompare(a.name))) {
    const before = read(backup.text);
    if (!before) continue;
    if (wrapText(backup.text, before, { km: wrapped[0].km, only: names }).text !== text) continue;
    return { text: unwrapText(backup.text, before, options).text, backup: backup.name };
  }
  return undefined;
}

/** A server's state, for `km wrap --status`. */
export function statusOf(site: Site, km: readonly string[]): Outcome {
  const server = label(site);
  if (site.kind !== "stdio") return { server, state: "not covered", detail: site.detail };
  const shape = shapeOf(site.command, site.args, km);
  if (shape.kind === "wrapped") return { server, state: "already wrapped" };
  if (shape.kind === "by-hand") return { server, state: "wrapped by hand" };
  return { server, state: "not wrapped" };
}

/** Reads with `reader`, or undefined when the text does not parse. */
export function tryRead(
  reader: Reader,
  file: string,
): (text: string) => ConfigDocument | undefined {
  return (text) => {
    try {
      return reader(text, file);
    } catch {
      return undefined;
    }
  };
}

function wrapEdits(text: string, doc: ConfigDocument, site: StdioSite, km: readonly string[]) {
  const items = [
    ...wrappedPrefix(km, site.name).map(doc.quote),
    slice(text, site.commandSpan),
  ];
  const edits: Edit[] = [{ span: site.commandSpan, text: doc.quote(km[0]) }];
  const args = site.argsSite;
  if (!args) {
    const at = site.insertArgs.at;
    edits.push({
      span: { start: at, end: at },
      text: site.insertArgs.render(`[${items.join(", ")}]`),
    });
  } else if (args.elements.length === 0) {
    edits.push({ span: args.span, text: `[${items.join(", ")}]` });
  } else {
    const open = { start: args.span.start + 1, end: args.span.start + 1 };
    const first = args.elements[0];
    if (text.slice(args.span.start, first.start).includes("\n")) {
      const indent = indentAt(text, first.start);
      edits.push({ span: open, text: items.map((item) => `${doc.eol}${indent}${item},`).join("") });
    } else {
      edits.push({ span: open, text: items.map((item) => `${item}, `).join("") });
    }
  }
  return edits;
}

function unwrapEdits(text: string, site: StdioSite, at: number): Edit[] {
  const elements = site.argsSite!.elements;
  const edits: Edit[] = [{ span: site.commandSpan, text: slice(text, elements[at + 4]) }];
  if (elements.length > at + 5) {
    edits.push({ span: { start: elements[0].start, end: elements[at + 5].start }, text: "" });
  } else {
    edits.push({ span: site.argsSite!.span, text: "[]" });
  }
  return edits;
}

/** The blanks that start the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

function slice(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, edit.span.start) + edit.text + out.slice(edit.span.end);
  }
  return out;
}
