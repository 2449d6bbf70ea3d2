/**
 * What a client's config file says about its servers, as the readers (json_config.ts,
 * toml_config.ts) find it: each server with its values and where their text lies, so that wrap
 * and unwrap edit only those bytes and leave every other character of the file as it was.
 * Pure: types and the shape of a wrapped command.
 */

/** Characters [start, end) of the file's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A server's `args` array in the text. */
export interface ArgsSite {
  readonly span: Span;
  /** Each element's text (a string literal of the file's format). */
  readonly elements: readonly Span[];
}

interface SiteBase {
  /** The server's name: its key in the file. */
  readonly name: string;
  /** Where in the file, when a file holds several maps of servers ("project /home/me/app"). */
  readonly scope?: string;
  /** 1-based line of the server's entry. */
  readonly line: number;
}

/** A server km can run: a command and its arguments. */
export interface StdioSite extends SiteBase {
  readonly kind: "stdio";
  readonly command: string;
  readonly args: readonly string[];
  /** The command's string literal. */
  readonly commandSpan: Span;
  readonly argsSite?: ArgsSite;
  /** Where `args` goes when the entry has none, and its text around an array's text. */
  readonly insertArgs: { readonly at: number; readonly render: (array: string) => string };
}

/** A server km cannot stand in front of: reached over the network, or with no command. */
export interface UncoveredSite extends SiteBase {
  readonly kind: "remote" | "no-command";
  /** What it is instead ("url https://…", "type sse"). */
  readonly detail: string;
  /** A remote server's address. */
  readonly url?: string;
}

export type Site = StdioSite | UncoveredSite;

/** A config file read for editing. */
export interface ConfigDocument {
  readonly sites: readonly Site[];
  /** A string literal of the file's format. */
  readonly quote: (value: string) => string;
  /** The file's line ending. */
  readonly eol: string;
}

/** Reads a file's text; throws a KmError naming the file, line and what was expected. */
export type Reader = (text: string, file: string) => ConfigDocument;

/** The words km puts before the server's command. */
export function wrappedPrefix(km: readonly string[], name: string): string[] {
  return [...km.slice(1), "monitor", "--name", name, "--"];
}

/** How a server's command stands with km. */
export type Shape =
  | { readonly kind: "wrapped"; readonly at: number; readonly km: readonly string[] }
  | { readonly kind: "by-hand" }
  | { readonly kind: "plain" };

/**
 * `wrapped` when the command is km (`km`, or the `--km` command) running
 * `monitor --name NAME -- <command…>`, the shape wrap writes: `at` is the index of `monitor` in
 * args. `by-hand` when it is km running `monitor` in any other shape: km is in front, but unwrap
 * cannot tell which words were the server's.
 */
export function shapeOf(
  command: string,
  args: readonly string[],
  km: readonly string[],
): Shape {
  for (let at = 0; at + 4 < args.length; at++) {
    if (args[at] !== "monitor" || args[at + 1] !== "--name" || args[at + 3] !== "--") continue;
    const prefix = [command, ...args.slice(0, at)];
    if (isKm(prefix, km)) return { kind: "wrapped", at, km: prefix };
  }
  if (isKm([command], km) && args[0] === "monitor") return { kind: "by-hand" };
  const prefix = [command, ...args.slice(0, km.length - 1)];
  if (km.length > 1 && isKm(prefix, km) && args[km.length - 1] === "monitor") {
    return { kind: "by-hand" };
  }
  return { kind: "plain" };
}

function isKm(prefix: readonly string[], km: readonly string[]): boolean {
  if (prefix.length === km.length && prefix.every((word, i) => word === km[i])) return true;
  return prefix.length === 1 && /^km(\.exe|\.cmd)?$/i.test(baseName(prefix[0]));
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** The server's label in output: its name, and its scope when it has one. */
export function label(site: SiteBase): string {
  return site.scope ? `${site.name} (${site.scope})` : site.name;
}

/**
 * Splits the `--km` command into words: spaces separate, single or double quotes group (for a
 * path with spaces). No other escapes, so Windows paths keep their backslashes.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (quote) throw new Error(`unclosed ${quote} in "${text}"`);
  if (word !== undefined) words.push(word);
  return words;
}
