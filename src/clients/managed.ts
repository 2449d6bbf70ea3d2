/**
 * `km wrap --print-managed`: the settings an organisation deploys so that a client runs its
 * stdio servers only through km, in each client's own managed-settings format (docs/clients.md,
 * "Making it mandatory"). Pure: from the servers found and km's command to the snippet.
 */
import type { ClientId } from "./clients.ts";
import { shapeOf, type Site, wrappedPrefix } from "./sites.ts";

export interface Managed {
  /** The snippet, printed on stdout. */
  readonly text: string;
  /** Where it goes, said on stderr. */
  readonly where: string;
}

/** A stdio server as wrap writes it, and as it was before. */
interface Pair {
  readonly name: string;
  readonly wrapped: readonly string[];
  readonly original: readonly string[];
}

/** The snippet for `client`, or undefined when the client has no such managed setting. */
export function managedSnippet(
  client: ClientId,
  sites: readonly Site[],
  km: readonly string[],
): Managed | undefined {
  const pairs = stdioPairs(sites, km);
  const remotes = sites.flatMap((
    s,
  ) => (s.kind === "remote" && s.url ? [{ name: s.name, url: s.url }] : []));
  switch (client) {
    case "claude-code":
      return {
        text: `${
          JSON.stringify(
            {
              allowManagedMcpServersOnly: true,
              allowedMcpServers: [
                ...pairs.map((p) => ({ serverCommand: p.wrapped })),
                ...remotes.map((r) => ({ serverUrl: r.url })),
              ],
              deniedMcpServers: pairs.map((p) => ({ serverCommand: p.original })),
            },
            null,
            2,
          )
        }\n`,
        where:
          "merge into Claude Code's managed-settings.json: /Library/Application Support/ClaudeCode/ (macOS), /etc/claude-code/ (Linux, WSL), C:\\ProgramData\\ClaudeCode\\ (Windows)",
      };
    case "codex":
      return {
        text: [
          ...pairs.map((p) => ({ name: p.name, key: "command", value: p.wrapped[0] })),
          ...remotes.map((r) => ({ name: r.name, key: "url", value: r.url })),
        ]
          .map((e) =>
            `[mcp_servers.${tomlKey(e.name)}.identity]\n${e.key} = ${JSON.stringify(e.value)}\n`
          )
          .join("\n"),
        where:
          "add to Codex's requirements.toml: /etc/codex/requirements.toml, or the macOS managed preference com.openai.codex requirements_toml_base64; servers not listed are disabled",
      };
    case "gemini":
      return {
        text: `${
          JSON.stringify(
            {
              mcp: { allowed: [...pairs.map((p) => p.name), ...remotes.map((r) => r.name)] },
              mcpServers: Object.fromEntries(
                pairs.map((p) => [p.name, { command: p.wrapped[0], args: p.wrapped.slice(1) }]),
              ),
            },
            null,
            2,
          )
        }\n`,
        where:
          "merge into Gemini CLI's system settings (they override the user's): /etc/gemini-cli/settings.json (Linux), /Library/Application Support/GeminiCli/settings.json (macOS), C:\\ProgramData\\gemini-cli\\settings.json (Windows); add each server's env there if it needs one",
      };
    case "windsurf":
      return {
        text: pairs.map((p) =>
          `Server ID: ${p.name}\nServer Config (JSON): ${
            JSON.stringify({
              command: regexEscape(p.wrapped[0]),
              args: p.wrapped.slice(1).map(regexEscape),
            })
          }\n`
        ).join("\n"),
        where:
          "enter each in Windsurf's team settings, MCP server whitelist (Teams and Enterprise admins); its fields are anchored regular expressions, so the values are escaped",
      };
    default:
      return undefined;
  }
}

/** Each stdio server once (Claude Code may list the same one for several projects). */
function stdioPairs(sites: readonly Site[], km: readonly string[]): Pair[] {
  const pairs = sites.flatMap((site): Pair[] => {
    if (site.kind !== "stdio") return [];
    const shape = shapeOf(site.command, site.args, km);
    if (shape.kind === "by-hand") return [];
    if (shape.kind === "wrapped") {
      return [{
        name: site.name,
        wrapped: [site.command, ...site.args],
        original: site.args.slice(shape.at + 4),
      }];
    }
    const original = [site.command, ...site.args];
    return [{
      name: site.name,
      wrapped: [km[0], ...wrappedPrefix(km, site.name), ...original],
      original,
    }];
  });
  const keys = pairs.map((p) => JSON.stringify(p.wrapped));
  return pairs.filter((_, i) => keys.indexOf(keys[i]) === i);
}

/** A TOML key: bare when it can be, else quoted. */
function tomlKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}

function regexEscape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}
