/**
 * A session's pins: on each listing, the comparison with the pins of the server's identity
 * (loaded from the store the first time), the new pins saved, and an audit record of what was
 * pinned or changed; between listings, the comparison of each tool, ready for the calls. The
 * per-message cost is a map lookup; the work is done once per listing.
 *
 * A pin is the definition as first seen and stays so: a changed definition is reported as
 * changed, against its first sight, in every session until the pin is replaced (`km pins`).
 */
import { compareListing, type ItemPin, type ListingComparison } from "./compare.ts";
import { type ListKind, type ServerIdentity, serverIdentity } from "./definition.ts";
import {
  emptyPins,
  emptySeen,
  type PinSet,
  type PinStore,
  type SeenDefinition,
  type SeenSet,
} from "./pin_file.ts";

/** Pins kept per kind and server, at most; names beyond are labelled `unpinned`. */
export const MAX_PINS_PER_KIND = 2000;

export type PinEvent = "definitions_pinned" | "definitions_changed";

export interface TrackerOptions {
  /** The argv km starts the server with. */
  readonly command: readonly string[];
  /** The name km's session gives the server (`--name`), recorded for `km pins` to find it by. */
  readonly kmName?: string;
  /** Where pins persist; without one they last for the session. */
  readonly store?: PinStore;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Writes an audit record (a lifecycle event). */
  readonly record: (event: PinEvent, fields: Record<string, unknown>) => void;
}

export interface Listing {
  /** The name the server reports (`serverInfo.name`), "" when it has not said. */
  readonly serverName: string;
  /** A first page (the request had no `cursor`): it replaces what the session knew. */
  readonly firstPage: boolean;
  /** The listing is whole: a first page without `nextCursor`. */
  readonly complete: boolean;
  /** The audit `seq` of the response, for the record's `cause_seq`. */
  readonly seq: number;
}

export class PinTracker {
  readonly #options: TrackerOptions;
  #identity?: ServerIdentity;
  #pins: PinSet = emptyPins();
  /** What the store says sessions saw differ from the pins (kept up to date as it is written). */
  #seen: SeenSet = emptySeen();
  /** Each tool as the latest tools listing compared it. */
  #tools = new Map<string, ItemPin>();
  /** Per kind, what the latest definitions_changed record said, so a repeat is not recorded. */
  readonly #reported = new Map<ListKind, string>();

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  /** The comparison of `tools/call`'s tool, from the latest tools listing. */
  tool(name: string): ItemPin | undefined {
    return this.#tools.get(name);
  }

  /** Compares a listing, pins what is new, records what was pinned or changed. */
  listed(kind: ListKind, items: readonly unknown[], listing: Listing): ListingComparison {
    const identity = this.#identityFor(listing.serverName);
    const pins = this.#pins[kind];
    const now = new Date(this.#options.now()).toISOString();
    const comparison = compareListing(kind, items, pins, {
      complete: listing.complete,
      now,
      room: Math.max(0, MAX_PINS_PER_KIND - pins.size),
    });
    if (kind === "tools") {
      const known = listing.firstPage ? new Map<string, ItemPin>() : this.#tools;
      for (const [name, item] of comparison.items) known.set(name, item);
      this.#tools = known;
    }
    const server = { id: identity.id, command: identity.command, server_name: identity.serverName };
    if (comparison.newPins.size > 0) {
      for (const [name, pin] of comparison.newPins) pins.set(name, pin);
      const added = emptyPins();
      added[kind] = new Map(comparison.newPins);
      const saved = this.#options.store?.add(identity, added) ?? false;
      this.#options.record("definitions_pinned", {
        kind,
        server,
        cause_seq: listing.seq,
        saved,
        pinned: [...comparison.newPins.keys()].map((name) => {
          const item = comparison.items.get(name)!;
          return { name, hash: item.hash, labels: item.labels };
        }),
      });
    }
    const changed = [...comparison.items].filter(([, item]) => item.status === "changed");
    const signature = JSON.stringify([
      changed.map(([name, item]) => [name, item.hash]),
      comparison.removed,
    ]);
    if (
      (changed.length > 0 || comparison.removed.length > 0) &&
      signature !== this.#reported.get(kind)
    ) {
      this.#options.record("definitions_changed", {
        kind,
        server,
        cause_seq: listing.seq,
        // The listing's position and the description (also in `changed`) are for policies.
        changed: changed.map(([name, { index: _, description: __, ...item }]) => ({
          name,
          ...item,
        })),
        removed: comparison.removed,
      });
    }
    this.#reported.set(kind, signature);
    this.#noteSeen(identity, kind, comparison, now);
    return comparison;
  }

  /**
   * Keeps the store's `seen` section in step: a changed item's definition as listed now (when
   * it differs from what was noted), an item back to its pin forgotten. Written only on a change.
   */
  #noteSeen(identity: ServerIdentity, kind: ListKind, comparison: ListingComparison, now: string) {
    const store = this.#options.store;
    if (!store?.see) return;
    const seen = this.#seen[kind];
    const updates = new Map<string, SeenDefinition | null>();
    for (const [name, item] of comparison.items) {
      if (item.status === "changed" && seen.get(name)?.hash !== item.hash) {
        const definition = comparison.current.get(name);
        updates.set(name, { hash: item.hash, seen_at: now, ...(definition ? { definition } : {}) });
      } else if (item.status === "unchanged" && seen.has(name)) {
        updates.set(name, null);
      }
    }
    if (updates.size === 0) return;
    for (const [name, entry] of updates) entry ? seen.set(name, entry) : seen.delete(name);
    store.see(identity, kind, updates);
  }

  /** The identity for this server name; pins are (re)loaded when it is a new one. */
  #identityFor(serverName: string): ServerIdentity {
    if (this.#identity?.serverName === serverName) return this.#identity;
    const { command, kmName } = this.#options;
    const identity = {
      ...serverIdentity(command, serverName),
      ...(kmName === undefined ? {} : { kmName }),
    };
    this.#identity = identity;
    this.#pins = this.#options.store?.load(identity) ?? emptyPins();
    this.#seen = this.#options.store?.loadSeen?.(identity) ?? emptySeen();
    this.#tools = new Map();
    this.#reported.clear();
    return identity;
  }
}
