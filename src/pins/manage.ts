/**
 * What `km pins` does to pin files, without touching them: finds the server a person names,
 * sums up its pins, compares what sessions last saw with the pins (a diff and the labels the
 * change adds), and makes the new pins of an accept. Pure: documents in, documents and text out;
 * src/cli/pins_command.ts reads and writes the files.
 */
import { compareListing } from "./compare.ts";
import { LIST_KINDS, type ListKind } from "./definition.ts";
import type { FieldChange } from "./diff.ts";
import { emptySeen, type PinDocument, type PinSet, type SeenSet } from "./pin_file.ts";

/** One pin file as read. */
export interface PinFileEntry {
  /** The server identity's id (the file's name). */
  readonly id: string;
  readonly path: string;
  readonly doc: PinDocument;
}

/** km's name for a server started with a command (`serverNameOf` in src/audit/paths.ts). */
export type KmNameOf = (command: readonly string[]) => string;

/** How a person may name a server: id, reported name, km's --name, km's name for its command. */
export function namesOf(entry: PinFileEntry, kmNameOf: KmNameOf): string[] {
  const names = [entry.id];
  const identity = entry.doc.identity;
  if (identity) {
    if (identity.server_name !== "") names.push(identity.server_name);
    if (identity.km_name !== undefined && identity.km_name !== "") names.push(identity.km_name);
    if (identity.command.length > 0) names.push(kmNameOf(identity.command));
  }
  return names;
}

/**
 * The one server `query` names: its identity id (or a beginning of at least 6 characters), the
 * name it reports, the name km gave it (`--name`, as `km wrap` writes), or the name km gives it from
 * its command. Throws naming the candidates when
 * none or several match.
 */
export function findServer(
  entries: readonly PinFileEntry[],
  query: string,
  kmNameOf: KmNameOf,
): PinFileEntry {
  const exact = entries.filter((e) => namesOf(e, kmNameOf).includes(query));
  const matches = exact.length > 0
    ? exact
    : query.length >= 6
    ? entries.filter((e) => e.id.startsWith(query))
    : [];
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new Error(
      entries.length === 0
        ? `no server has pins, so none is "${query}"`
        : `no server with pins is "${query}"; expected one of: ${entries.map(describe).join("; ")}`,
    );
  }
  throw new Error(
    `"${query}" names ${matches.length} servers with pins: ${
      matches.map(describe).join("; ")
    }; name one by its id`,
  );
}

/** `<id> (<reported name>, <command>)`. */
export function describe(entry: PinFileEntry): string {
  const identity = entry.doc.identity;
  return identity
    ? `${entry.id} (${identity.server_name || "no reported name"}: ${identity.command.join(" ")})`
    : entry.id;
}

export interface ServerSummary {
  readonly id: string;
  readonly server_name: string;
  readonly command: readonly string[];
  readonly pinned: Readonly<Record<ListKind, number>>;
  /** Definitions last seen differing from their pins. */
  readonly changed: Readonly<Record<ListKind, number>>;
  /** RFC 3339: the latest change seen, or of the latest pin made when none. */
  readonly last_change?: string;
  readonly last_pinned?: string;
}

const counts = (set: PinSet | SeenSet) =>
  Object.fromEntries(LIST_KINDS.map((k) => [k, set[k].size])) as Record<ListKind, number>;

const latest = (times: Iterable<string>) => {
  let out: string | undefined;
  for (const t of times) if (out === undefined || t > out) out = t;
  return out;
};

export function summarize(entry: PinFileEntry): ServerSummary {
  const { pins, seen, identity } = entry.doc;
  const lastChange = latest(LIST_KINDS.flatMap((k) => [...seen[k].values()].map((s) => s.seen_at)));
  const lastPinned = latest(
    LIST_KINDS.flatMap((k) => [...pins[k].values()].map((p) => p.first_seen)),
  );
  return {
    id: entry.id,
    server_name: identity?.server_name ?? "",
    command: identity?.command ?? [],
    pinned: counts(pins),
    changed: counts(seen),
    ...(lastChange ? { last_change: lastChange } : {}),
    ...(lastPinned ? { last_pinned: lastPinned } : {}),
  };
}

/** One definition seen differing from its pin. */
export interface SeenChange {
  readonly kind: ListKind;
  readonly name: string;
  readonly pinned_at: string;
  readonly seen_at: string;
  readonly hash: string;
  /** The fields that differ (one entry naming the hash when a definition was too large). */
  readonly changed: readonly FieldChange[];
  readonly added_labels: readonly string[];
}

/**
 * The changes sessions last saw, every kind, or those of the item `name` (in any kind). Throws
 * when `name` has no change seen, naming the ones that have.
 */
export function changesOf(doc: PinDocument, name?: string): SeenChange[] {
  const out: SeenChange[] = [];
  for (const kind of LIST_KINDS) {
    for (const [item, seen] of doc.seen[kind]) {
      if (name !== undefined && item !== name) continue;
      const pin = doc.pins[kind].get(item);
      if (!pin) continue;
      const compared = seen.definition
        ? compareListing(kind, [seen.definition], new Map([[item, pin]]), {
          complete: false,
          now: seen.seen_at,
          room: 0,
        }).items.get(item)
        : undefined;
      out.push({
        kind,
        name: item,
        pinned_at: pin.first_seen,
        seen_at: seen.seen_at,
        hash: seen.hash,
        changed: compared?.changed ??
          [{ field: "", after: `a definition too large to keep, ${seen.hash}` }],
        added_labels: compared?.added_labels ?? [],
      });
    }
  }
  if (name !== undefined && out.length === 0) {
    const changed = LIST_KINDS.flatMap((k) => [...doc.seen[k].keys()]);
    throw new Error(
      `no change was seen for "${name}"${
        changed.length > 0 ? `; changed: ${changed.join(", ")}` : ": nothing changed since pinned"
      }`,
    );
  }
  return out;
}

/** A person's reading of changes: each field before and after, with the labels added. */
export function diffText(changes: readonly SeenChange[]): string {
  let out = "";
  for (const c of changes) {
    const kind = c.kind === "resource_templates" ? "resource template" : c.kind.slice(0, -1);
    out += `${kind} ${c.name}: pinned ${c.pinned_at}, changed as seen ${c.seen_at}\n`;
    out += `  labels added: ${c.added_labels.length > 0 ? c.added_labels.join(", ") : "none"}\n`;
    for (const f of c.changed) {
      out += `  ${f.field === "" ? "(whole definition)" : f.field}\n`;
      if (f.before !== undefined) out += `    - ${JSON.stringify(f.before)}\n`;
      if (f.after !== undefined) out += `    + ${JSON.stringify(f.after)}\n`;
    }
  }
  return out;
}

/**
 * The document with the latest definitions seen made the pins (all, or those of the item
 * `name`), pinned as of `now`, and what was accepted. A seen definition too large to keep is
 * pinned by its hash. Throws like changesOf when there is nothing to accept.
 */
export function accept(
  doc: PinDocument,
  now: string,
  name?: string,
): { doc: PinDocument; accepted: SeenChange[] } {
  const accepted = changesOf(doc, name);
  const pins = {} as PinSet;
  const seen = emptySeen();
  for (const kind of LIST_KINDS) {
    pins[kind] = new Map(doc.pins[kind]);
    seen[kind] = new Map(doc.seen[kind]);
  }
  for (const change of accepted) {
    const entry = seen[change.kind].get(change.name)!;
    pins[change.kind].set(change.name, {
      hash: entry.hash,
      first_seen: now,
      ...(entry.definition ? { definition: entry.definition } : {}),
    });
    seen[change.kind].delete(change.name);
  }
  return { doc: { ...doc, pins, seen }, accepted };
}
