/**
 * Reads the servers of OpenAI Codex's config.toml (`[mcp_servers.NAME]` tables, or the same keys
 * dotted or inline) with where each value lies in the text, for wrap's in-place edits.
 * toml-eslint-parser gives a syntax tree with ranges; only the wrap commands load it.
 */
import { type AST, getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { KmError } from "../errors.ts";
import type { ConfigDocument, Site, StdioSite } from "./sites.ts";

const ROOT_KEY = "mcp_servers";

/** Reads `text` (the file `file`) for its `mcp_servers`. Throws CONFIG_INVALID. */
export function readTomlConfig(text: string, file: string): ConfigDocument {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch (error) {
    const e = error as { lineNumber?: number; column?: number; message: string };
    throw invalid(file, e.lineNumber ?? 1, (e.column ?? 0) + 1, describe(e.message));
  }
  const doc = { sites: [] as Site[], quote: tomlString, eol };
  const values = getStaticTOMLValue(program) as Record<string, unknown>;
  const servers = values[ROOT_KEY];
  if (servers === undefined) return doc;
  const members = membersOf(program.body[0]);
  const where = (path: string[]) => members.get(path.join("\0"));
  if (!isTable(servers)) {
    throw invalid(
      file,
      where([ROOT_KEY])?.key.loc.start.line ?? 1,
      1,
      `expected "${ROOT_KEY}" to be a table`,
    );
  }
  for (const [name, server] of Object.entries(servers)) {
    const line = where([ROOT_KEY, name])?.loc.start.line ?? 1;
    if (!isTable(server)) throw invalid(file, line, 1, `expected server "${name}" to be a table`);
    doc.sites.push(site(text, file, name, server, (key) => where([ROOT_KEY, name, key]), eol));
  }
  return doc;
}

type Located = AST.TOMLKeyValue | AST.TOMLTable;

function site(
  text: string,
  file: string,
  name: string,
  server: Record<string, unknown>,
  member: (key: string) => Located | undefined,
  eol: string,
): Site {
  const first = ["command", "url"].map(member).find((m) => m) ?? member("args");
  const line = first?.loc.start.line ?? 1;
  if (typeof server.url === "string") {
    return { name, line, kind: "remote", detail: `url ${server.url}`, url: server.url };
  }
  const commandNode = member("command");
  if (!commandNode || commandNode.type !== "TOMLKeyValue") {
    return { name, line, kind: "no-command", detail: "no command" };
  }
  const value = commandNode.value;
  if (value.type !== "TOMLValue" || value.kind !== "string") {
    throw invalid(
      file,
      value.loc.start.line,
      value.loc.start.column + 1,
      `expected "command" of "${name}" to be a string`,
    );
  }
  const argsNode = member("args");
  let argsSite: StdioSite["argsSite"];
  let args: string[] = [];
  if (argsNode) {
    const array = argsNode.type === "TOMLKeyValue" ? argsNode.value : undefined;
    const bad = array?.type !== "TOMLArray"
      ? (array ?? argsNode)
      : array.elements.find((e) => e.type !== "TOMLValue" || e.kind !== "string");
    if (bad || array?.type !== "TOMLArray") {
      const at = (bad ?? argsNode).loc.start;
      throw invalid(
        file,
        at.line,
        at.column + 1,
        `expected "args" of "${name}" to be an array of strings`,
      );
    }
    argsSite = {
      span: spanOf(array),
      elements: array.elements.map(spanOf),
    };
    args = array.elements.map((e) => (e as AST.TOMLStringValue).value);
  }
  return {
    name,
    line,
    kind: "stdio",
    command: value.value,
    args,
    commandSpan: spanOf(value),
    argsSite,
    insertArgs: insertArgs(text, commandNode, eol),
  };
}

/** After `command`: `, args = […]` in an inline table, else a line of its own below it. */
function insertArgs(text: string, command: AST.TOMLKeyValue, eol: string): StdioSite["insertArgs"] {
  if (command.parent.type === "TOMLInlineTable") {
    return { at: command.range[1], render: (array) => `, args = ${array}` };
  }
  const keys = command.key.keys;
  const dotted = text.slice(command.key.range[0], keys[keys.length - 1].range[0]);
  const lineStart = text.lastIndexOf("\n", command.range[0] - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, command.range[0]))![0];
  const newline = text.indexOf("\n", command.range[1]);
  const lineEnd = newline === -1 ? text.length : text[newline - 1] === "\r" ? newline - 1 : newline;
  return { at: lineEnd, render: (array) => `${eol}${indent}${dotted}args = ${array}` };
}

/** Every key-value and table, by its full key path (joined with NUL). */
function membersOf(top: AST.TOMLTopLevelTable): Map<string, Located> {
  const found = new Map<string, Located>();
  const visit = (kv: AST.TOMLKeyValue, prefix: string[]) => {
    const path = [...prefix, ...kv.key.keys.map(keyName)];
    for (let i = prefix.length + 1; i < path.length; i++) {
      const partial = path.slice(0, i).join("\0");
      if (!found.has(partial)) found.set(partial, kv);
    }
    found.set(path.join("\0"), kv);
    if (kv.value.type === "TOMLInlineTable") {
      for (const inner of kv.value.body) {
        visit(inner, path);
      }
    }
  };
  for (const node of top.body) {
    if (node.type === "TOMLKeyValue") visit(node, []);
    else {
      const path = node.resolvedKey.map(String);
      for (let i = 1; i <= path.length; i++) {
        const partial = path.slice(0, i).join("\0");
        if (!found.has(partial)) found.set(partial, node);
      }
      for (const kv of node.body) visit(kv, path);
    }
  }
  return found;
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === "TOMLBare" ? key.name : key.value;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function spanOf(node: AST.TOMLNode) {
  return { start: node.range[0], end: node.range[1] };
}

/** A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, "\\u007F");
}

function describe(message: string): string {
  return `expected valid TOML (${message.replace(/\.$/, "")})`;
}

function invalid(file: string, line: number, column: number, expected: string): KmError {
  return new KmError(
    "CONFIG_INVALID",
    `Cannot read ${file} at line ${line}, column ${column}: ${expected}`,
    "fix the file (nothing was written)",
  );
}
