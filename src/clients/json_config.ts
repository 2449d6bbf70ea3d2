/**
 * Reads the servers of a JSON or JSONC client config (Claude Desktop, Claude Code, Cursor, VS
 * Code, Windsurf, Gemini CLI) with where each value lies in the text, for wrap's in-place edits.
 * jsonc-parser gives a syntax tree with offsets; it is a CommonJS package, so only the wrap
 * commands load it (through a dynamic import in src/cli/wrap_command.ts), never km monitor.
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { KmError } from "../errors.ts";
import type { ArgsSite, ConfigDocument, Site, StdioSite } from "./sites.ts";

/** Where servers are kept: paths of object keys, `*` for every key (Claude Code's projects). */
export type ServerMaps = readonly (readonly string[])[];

/** Keys that make a server remote: km sees only stdio. */
const REMOTE_KEYS = ["url", "httpUrl", "serverUrl"];
const REMOTE_TYPES = ["http", "sse", "streamable-http", "streamableHttp", "ws"];

/** Reads `text` (the file `file`) for the servers under `maps`. Throws CONFIG_INVALID. */
export function readJsonConfig(text: string, file: string, maps: ServerMaps): ConfigDocument {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const doc = { sites: [] as Site[], quote: (value: string) => JSON.stringify(value), eol };
  if (text.trim() === "") return doc;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    const error = errors[0] ?? { error: 4, offset: 0, length: 0 };
    throw invalid(file, text, error.offset, EXPECTED[printParseErrorCode(error.error)] ?? "");
  }
  const at = (node: Node) => lineOf(text, node.offset);
  if (root.type !== "object") throw invalid(file, text, root.offset, "expected an object");
  for (const map of maps) {
    for (const { node, scope } of find(root, map, undefined)) {
      if (node.type !== "object") {
        throw invalid(file, text, node.offset, `expected "${map.at(-1)}" to be an object`);
      }
      for (const property of node.children ?? []) {
        const [key, value] = property.children!;
        const name = key.value as string;
        if (value.type !== "object") {
          throw invalid(file, text, value.offset, `expected server "${name}" to be an object`);
        }
        doc.sites.push(site(text, file, name, scope, value, at(key), eol));
      }
    }
  }
  return doc;
}

function site(
  text: string,
  file: string,
  name: string,
  scope: string | undefined,
  server: Node,
  line: number,
  eol: string,
): Site {
  const members = new Map<string, Node>();
  const keys = new Map<string, Node>();
  for (const property of server.children ?? []) {
    members.set(property.children![0].value, property.children![1]);
    keys.set(property.children![0].value, property.children![0]);
  }
  const base = { name, line, ...(scope === undefined ? {} : { scope }) };
  for (const key of REMOTE_KEYS) {
    const value = members.get(key);
    if (value) {
      const url = String(value.value);
      return { ...base, kind: "remote", detail: `${key} ${url}`, url };
    }
  }
  const type = members.get("type")?.value;
  if (typeof type === "string" && REMOTE_TYPES.includes(type)) {
    return { ...base, kind: "remote", detail: `type ${type}` };
  }
  const command = members.get("command");
  if (!command) return { ...base, kind: "no-command", detail: "no command" };
  if (command.type !== "string") {
    throw invalid(file, text, command.offset, `expected "command" of "${name}" to be a string`);
  }
  const args = members.get("args");
  let argsSite: ArgsSite | undefined;
  if (args) {
    const elements = args.children ?? [];
    if (args.type !== "array" || elements.some((e) => e.type !== "string")) {
      const bad = args.type !== "array" ? args : elements.find((e) => e.type !== "string")!;
      throw invalid(
        file,
        text,
        bad.offset,
        `expected "args" of "${name}" to be an array of strings`,
      );
    }
    argsSite = {
      span: spanOf(args),
      elements: elements.map(spanOf),
    };
  }
  const commandKey = keys.get("command")!;
  const lineStart = text.lastIndexOf("\n", commandKey.offset - 1) + 1;
  const before = text.slice(lineStart, commandKey.offset);
  const ownLine = /^[ \t]*$/.test(before);
  const result: StdioSite = {
    ...base,
    kind: "stdio",
    command: command.value,
    args: (args?.children ?? []).map((e) => e.value as string),
    commandSpan: spanOf(command),
    argsSite,
    insertArgs: {
      at: command.offset + command.length,
      render: (array) => ownLine ? `,${eol}${before}"args": ${array}` : `, "args": ${array}`,
    },
  };
  return result;
}

/** The nodes at `path` below `node` (`*` matches every key), with the keys `*` matched. */
function find(
  node: Node,
  path: readonly string[],
  scope: string | undefined,
): { node: Node; scope: string | undefined }[] {
  if (path.length === 0) return [{ node, scope }];
  if (node.type !== "object") return [];
  const [head, ...rest] = path;
  return (node.children ?? []).flatMap((property) => {
    const [key, value] = property.children!;
    if (head !== "*" && key.value !== head) return [];
    return find(value, rest, head === "*" ? `project ${key.value}` : scope);
  });
}

function spanOf(node: Node) {
  return { start: node.offset, end: node.offset + node.length };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function invalid(file: string, text: string, offset: number, expected: string): KmError {
  const line = lineOf(text, offset);
  const column = offset - (text.lastIndexOf("\n", offset - 1) + 1) + 1;
  return new KmError(
    "CONFIG_INVALID",
    `Cannot read ${file} at line ${line}, column ${column}: ${expected}`,
    "fix the file (nothing was written)",
  );
}

/** jsonc-parser's error codes, said as what was expected there. */
const EXPECTED: Record<string, string> = {
  InvalidSymbol: "expected a JSON value (found a character that starts none)",
  InvalidNumberFormat: "expected a number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between members',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: "expected the end of the file after the top-level value",
  InvalidCommentToken: "expected a comment (// or /* */)",
  UnexpectedEndOfComment: 'expected "*/" to close the comment',
  UnexpectedEndOfString: "expected a closing double quote",
  UnexpectedEndOfNumber: "expected the rest of the number",
  InvalidUnicode: "expected four hex digits after \\u",
  InvalidEscapeCharacter: "expected a valid escape after \\",
  InvalidCharacter: "expected no control character inside a string",
};
