/**
 * JSONC (JSON with comments and trailing commas, as in VS Code settings) for km.jsonc.
 *
 * Comments and trailing commas are blanked out with spaces, keeping every other character in
 * place, and the result goes to the native JSON.parse: its error positions then point into the
 * original text. Written here rather than taken from npm because loading any npm package
 * starts Deno's Node compatibility layer, which costs every km process about 12 MB of memory.
 */
import { KmError, type KmErrorCode } from "./errors.ts";

/** A JSONC syntax error with its 1-based line and column. */
export class JsoncError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

/**
 * Parses JSONC text read from a file; a syntax error becomes a KmError with `code` whose
 * message reads `Cannot parse <what> at line L, column C: <problem>`.
 */
export function parseJsoncAs(text: string, what: string, code: KmErrorCode): unknown {
  try {
    return parseJsonc(text);
  } catch (error) {
    const e = error as JsoncError;
    throw new KmError(
      code,
      `Cannot parse ${what} at line ${e.line}, column ${e.column}: ${e.message}`,
    );
  }
}

/** Parses JSONC text. Throws JsoncError. */
export function parseJsonc(text: string): unknown {
  const json = stripJsonc(text);
  try {
    return JSON.parse(json);
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : json.trimEnd().length;
    const { line, column } = position(text, offset);
    throw new JsoncError(describe(message), line, column);
  }
}

/** Blanks out comments and trailing commas, leaving strings and positions untouched. */
export function stripJsonc(text: string): string {
  const out = text.split("");
  let pendingComma = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      pendingComma = -1;
      i = endOfString(text, i);
    } else if (ch === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      blank(out, i, stop);
      i = stop - 1;
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(out, i, stop);
      i = stop - 1;
    } else if (ch === ",") {
      pendingComma = i;
    } else if ((ch === "}" || ch === "]") && pendingComma !== -1) {
      out[pendingComma] = " ";
      pendingComma = -1;
    } else if (!/\s/.test(ch)) {
      pendingComma = -1;
    }
  }
  return out.join("");
}

/** Index of the quote that closes the string starting at `open` (or the last index). */
function endOfString(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function blank(chars: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) if (chars[i] !== "\n" && chars[i] !== "\r") chars[i] = " ";
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** V8's message without its position (reported separately) or its echo of the input. */
function describe(message: string): string {
  return message
    .replace(/ in JSON at position \d+.*$/, "")
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/^Unexpected end of JSON input$/, "unexpected end of file");
}
