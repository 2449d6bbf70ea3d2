/**
 * What `km wrap --status` reports, as data: for each client, its config files (found or not,
 * readable or not) and each server's state, wrapped or not. `km wrap --status` prints it and
 * `km doctor` judges it, so the two never disagree. Reads the files through `readText`
 * (undefined: not found); a file that cannot be read or parsed is reported with the reason.
 */
import type { Client, Place } from "../clients/clients.ts";
import type { Outcome } from "../clients/wrap.ts";

type Clients = typeof import("../clients/mod.ts");

/** A server of a config file and its state (`wrapped` rather than wrap's "already wrapped"). */
export interface ServerStatus {
  readonly server: string;
  readonly state: Exclude<Outcome["state"], "already wrapped">;
  readonly detail?: string;
}

/** A config file a client reads: not found, unreadable (`error`), or its servers. */
export interface FileStatus {
  readonly path: string;
  readonly role: "user" | "project";
  readonly found: boolean;
  readonly error?: string;
  readonly servers: readonly ServerStatus[];
}

export interface ClientStatus {
  readonly id: Client["id"];
  readonly title: string;
  readonly files: readonly FileStatus[];
}

/** The status of each of `chosen`'s config files on this machine, with km run as `km`. */
export function wrapStatus(
  clients: Clients,
  chosen: readonly Client[],
  km: readonly string[],
  place: Place,
  readText: (path: string) => string | undefined,
): ClientStatus[] {
  return chosen.map((client) => ({
    id: client.id,
    title: client.title,
    files: clients.configFiles(client.id, place).map((file): FileStatus => {
      try {
        const text = readText(file.path);
        if (text === undefined) return { ...file, found: false, servers: [] };
        const doc = clients.readerFor(client)(text, file.path);
        const servers = doc.sites.map((site): ServerStatus => {
          const o = clients.statusOf(site, km);
          const state = o.state === "already wrapped" ? "wrapped" : o.state;
          return { server: o.server, state, ...(o.detail ? { detail: o.detail } : {}) };
        });
        return { ...file, found: true, servers };
      } catch (error) {
        return { ...file, found: true, error: (error as Error).message, servers: [] };
      }
    }),
  }));
}

/** `km wrap --status`'s text: a client per line, its files indented, their servers below. */
export function statusText(status: readonly ClientStatus[]): string {
  const lines: string[] = [];
  for (const client of status) {
    lines.push(client.title);
    for (const file of client.files) {
      if (!file.found) {
        lines.push(`  ${file.path} (${file.role}; not found)`);
        continue;
      }
      lines.push(`  ${file.path} (${file.role})`);
      if (file.error !== undefined) {
        lines.push(`    unreadable: ${file.error}`);
        continue;
      }
      if (file.servers.length === 0) lines.push("    no servers");
      for (const s of file.servers) {
        lines.push(`    ${s.server}: ${s.state}${s.detail ? ` (${s.detail})` : ""}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
