/** Help texts. */
import { VERSION } from "../version.ts";
import { formatOptions, type OptionSpec } from "./options.ts";

export interface CommandInfo {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  readonly details?: string;
}

export function mainHelp(commands: readonly CommandInfo[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `km ${VERSION}: a security proxy for MCP servers

Usage:
  km monitor [options] -- <server command...>
  km <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n")}

Options:
  -h, --help       show help (also: km <command> --help)
  -V, --version    show the version

Example (in an MCP client's config, in place of the server command):
  km monitor -- npx -y @modelcontextprotocol/server-everything

Exit codes: the server's exit code (128+n if it was killed by signal n); 1 when km fails
(e.g. the audit log cannot be written); 2 for a usage or configuration error, or a policy that
does not load; 126 when the server command is not executable; 127 when it is not found.
`;
}

export function commandHelp(command: CommandInfo): string {
  return `km ${command.name}: ${command.summary}

Usage:
  ${command.usage}

Options:
${formatOptions(command.options)}
${command.details ? `\n${command.details}\n` : ""}`;
}
