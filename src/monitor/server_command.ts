/**
 * Making sense of the server command a client hands to km: a command given as one string,
 * and a command that would make km wrap itself. Pure: file checks are injected.
 */
import { KmError } from "../errors.ts";

/**
 * Splits a command line the way a POSIX shell splits words: whitespace separates, single and
 * double quotes group, backslash escapes. No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
        word += line[++i];
      } else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new KmError("USAGE", `server command has an unclosed ${quote} quote: ${line}`);
  if (inWord) words.push(word);
  return words;
}

export interface CommandContext {
  /** True when a file exists at this path (so "/My Apps/server" is not split). */
  readonly exists: (path: string) => boolean;
  /** Absolute paths of km itself: the compiled binary and/or the entry script. */
  readonly self: readonly string[];
  /** Resolves a command name through PATH to an absolute path, if found. */
  readonly resolve: (name: string) => string | undefined;
}

/**
 * The argv to spawn. A single argument containing whitespace that is not an existing file is
 * split as a shell would (clients that pass the whole command as one string). Refuses to
 * wrap km in itself.
 */
export function normaliseServerCommand(args: readonly string[], ctx: CommandContext): string[] {
  if (args.length === 0) {
    throw new KmError(
      "USAGE",
      "km monitor needs the server command to run",
      "usage: km monitor [options] -- <server command...>, e.g. km monitor -- npx -y @modelcontextprotocol/server-everything",
    );
  }
  let command = [...args];
  if (command.length === 1 && /\s/.test(command[0].trim()) && !ctx.exists(command[0])) {
    command = splitCommandLine(command[0]);
  }
  if (command.length === 0 || command[0].trim() === "") {
    throw new KmError("USAGE", "the server command is empty");
  }
  refuseSelf(command, ctx);
  return command;
}

function refuseSelf(command: readonly string[], ctx: CommandContext): void {
  const base = (p: string) => p.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  const program = ctx.resolve(command[0]) ?? command[0];
  const isKm = base(command[0]).replace(/\.exe$/, "") === "km" || ctx.self.includes(program) ||
    // `deno run ... /path/to/km/main.ts monitor`
    command.some((arg) => ctx.self.includes(arg));
  if (isKm) {
    throw new KmError(
      "SELF_WRAP",
      `refusing to run km inside km: the server command "${command.join(" ")}" is km itself`,
      "put the real MCP server command after `--` (check the client's config for a doubled `km monitor`)",
    );
  }
}
