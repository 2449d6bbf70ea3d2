/**
 * The pin store: one JSON file per server identity, `<dataDir>/pins/<id>.json`. Read once,
 * when a session first lists something; written whole and atomically (a temporary file
 * renamed over the old one) when pins are added, merged with what another session of the same
 * server may have written meanwhile (the first pin of a name wins). A file that cannot be read
 * as pins is set aside as `<id>.json.corrupt-<time>` with a warning, and the session starts
 * with no pins: a damaged store never stops the relay. The I/O edge of src/pins/.
 *
 * Beside the pins, a `seen` section keeps, per kind, the latest definition a session listed
 * that differs from its pin (what `km pins diff` shows and `km pins accept` pins); an entry is
 * dropped when a listing shows the pinned definition again. Older files without it read as
 * having seen nothing; the format stays `km.pins/v1` (a reader ignores members it does not know).
 */
import { isJsonObject as isObject } from "../json_object.ts";
import type { Pin } from "./compare.ts";
import { LIST_KINDS, type ListKind, type ServerIdentity } from "./definition.ts";

export const PIN_FILE_FORMAT = "km.pins/v1";

/** A pin file larger than this is not read (it is set aside), and not written. */
export const MAX_PIN_FILE_BYTES = 16 * 1024 * 1024;

export type PinSet = Record<ListKind, Map<string, Pin>>;

export function emptyPins(): PinSet {
  return { tools: new Map(), prompts: new Map(), resource_templates: new Map() };
}

/** The latest definition listed that differs from its pin. */
export interface SeenDefinition {
  readonly hash: string;
  /** RFC 3339 time of the listing that showed it. */
  readonly seen_at: string;
  /** Unless it was too large to keep. */
  readonly definition?: Record<string, unknown>;
}

export type SeenSet = Record<ListKind, Map<string, SeenDefinition>>;

export function emptySeen(): SeenSet {
  return { tools: new Map(), prompts: new Map(), resource_templates: new Map() };
}

/** A whole pin file: whose it is, its pins, and what was seen differ from them. */
export interface PinDocument {
  /** As written in the file (`command`, `server_name`); absent in a file without it. */
  readonly identity?: {
    readonly command: readonly string[];
    readonly server_name: string;
    /** The name the latest km session gave the server (`--name`). */
    readonly km_name?: string;
  };
  readonly pins: PinSet;
  readonly seen: SeenSet;
}

/** What the tracker needs of a store. */
export interface PinStore {
  /** The pins of a server; empty when it has none (or its file was unusable). */
  load(identity: ServerIdentity): PinSet;
  /** Adds pins (names already pinned on disk are kept as they are); false if not written. */
  add(identity: ServerIdentity, added: PinSet): boolean;
  /** What sessions have seen differ from the pins (the `seen` section). */
  loadSeen?(identity: ServerIdentity): SeenSet;
  /** Sets (or, for null, drops) `seen` entries of one kind; false if not written. */
  see?(
    identity: ServerIdentity,
    kind: ListKind,
    updates: ReadonlyMap<string, SeenDefinition | null>,
  ): boolean;
}

/** Reads a pin file's pins; throws a message naming what is wrong. */
export function parsePinFile(text: string): PinSet {
  return parsePinDocument(text).pins;
}

/** Reads a pin file's text whole; throws a message naming what is wrong. */
export function parsePinDocument(text: string): PinDocument {
  const doc = JSON.parse(text) as Record<string, unknown>;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error("expected a JSON object");
  }
  if (doc.format !== PIN_FILE_FORMAT) {
    throw new Error(`expected "format": "${PIN_FILE_FORMAT}", found ${JSON.stringify(doc.format)}`);
  }
  const pins = emptyPins();
  for (const kind of LIST_KINDS) {
    const entries = doc[kind] ?? {};
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw new Error(`expected "${kind}" to be an object of pins by name`);
    }
    for (const [name, pin] of Object.entries(entries as Record<string, unknown>)) {
      const p = pin as Record<string, unknown>;
      const definitionOk = p?.definition === undefined ||
        (typeof p.definition === "object" && p.definition !== null && !Array.isArray(p.definition));
      if (
        typeof p !== "object" || p === null || typeof p.hash !== "string" ||
        typeof p.first_seen !== "string" || !definitionOk
      ) {
        throw new Error(`the pin of ${kind} ${JSON.stringify(name)} is not {hash, first_seen}`);
      }
      pins[kind].set(name, {
        hash: p.hash,
        first_seen: p.first_seen,
        ...(p.definition === undefined ? {} : { definition: p.definition as Pin["definition"] }),
      });
    }
  }
  const seen = emptySeen();
  const seenDoc = doc.seen ?? {};
  if (!isObject(seenDoc)) throw new Error(`expected "seen" to be an object of kinds`);
  for (const kind of LIST_KINDS) {
    const entries = seenDoc[kind] ?? {};
    if (!isObject(entries)) throw new Error(`expected "seen.${kind}" to be an object by name`);
    for (const [name, entry] of Object.entries(entries)) {
      if (
        !isObject(entry) || typeof entry.hash !== "string" || typeof entry.seen_at !== "string" ||
        (entry.definition !== undefined && !isObject(entry.definition))
      ) {
        throw new Error(`the seen ${kind} ${JSON.stringify(name)} is not {hash, seen_at}`);
      }
      seen[kind].set(name, {
        hash: entry.hash,
        seen_at: entry.seen_at,
        ...(entry.definition === undefined ? {} : { definition: entry.definition }),
      });
    }
  }
  const id = doc.identity;
  const identity = isObject(id) && Array.isArray(id.command) &&
      id.command.every((a) => typeof a === "string") && typeof id.server_name === "string"
    ? {
      command: id.command as string[],
      server_name: id.server_name,
      ...(typeof id.km_name === "string" ? { km_name: id.km_name } : {}),
    }
    : undefined;
  return { ...(identity ? { identity } : {}), pins, seen };
}

/** The text of a pin file (`seen` written only when it has entries). */
export function pinFileText(
  identity: ServerIdentity | NonNullable<PinDocument["identity"]>,
  pins: PinSet,
  seen: SeenSet = emptySeen(),
): string {
  const doc: Record<string, unknown> = {
    format: PIN_FILE_FORMAT,
    identity: "id" in identity
      ? {
        command: identity.command,
        server_name: identity.serverName,
        ...(identity.kmName === undefined ? {} : { km_name: identity.kmName }),
      }
      : identity,
  };
  // fromEntries defines own members: a tool named "__proto__" is kept like any other.
  for (const kind of LIST_KINDS) doc[kind] = Object.fromEntries(pins[kind]);
  if (LIST_KINDS.some((kind) => seen[kind].size > 0)) {
    const out: Record<string, unknown> = {};
    for (const kind of LIST_KINDS) out[kind] = Object.fromEntries(seen[kind]);
    doc.seen = out;
  }
  return JSON.stringify(doc, null, 1) + "\n";
}

/**
 * Writes a file whole and atomically (a temporary file renamed over it), creating its folder;
 * throws what went wrong.
 */
export function writeFileAtomically(dir: string, path: string, text: string): void {
  const temporary = `${path}.tmp-${Deno.pid}`;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(temporary, text, { mode: 0o600 });
    Deno.renameSync(temporary, path);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch { /* it may not exist */ }
    throw error;
  }
}

/** Pin files in a folder, with warnings through `warn`. */
export class PinFiles implements PinStore {
  readonly #dir: string;
  readonly #warn: (text: string) => void;
  readonly #now: () => number;

  constructor(dir: string, warn: (text: string) => void, now: () => number = Date.now) {
    this.#dir = dir;
    this.#warn = warn;
    this.#now = now;
  }

  pathOf(identity: ServerIdentity): string {
    return `${this.#dir}/${identity.id}.json`;
  }

  load(identity: ServerIdentity): PinSet {
    return this.#read(this.pathOf(identity), true)?.pins ?? emptyPins();
  }

  loadSeen(identity: ServerIdentity): SeenSet {
    return this.#read(this.pathOf(identity), false)?.seen ?? emptySeen();
  }

  see(
    identity: ServerIdentity,
    kind: ListKind,
    updates: ReadonlyMap<string, SeenDefinition | null>,
  ): boolean {
    const path = this.pathOf(identity);
    const doc = this.#read(path, false);
    // Seen definitions are kept only beside pins: without a pin file there is nothing to differ.
    if (!doc) return false;
    for (const [name, entry] of updates) {
      if (entry === null) doc.seen[kind].delete(name);
      else if (doc.pins[kind].has(name)) doc.seen[kind].set(name, entry);
    }
    let text = pinFileText(identity, doc.pins, doc.seen);
    if (text.length > MAX_PIN_FILE_BYTES) {
      for (const [name, entry] of doc.seen[kind]) {
        doc.seen[kind].set(name, { hash: entry.hash, seen_at: entry.seen_at });
      }
      text = pinFileText(identity, doc.pins, doc.seen);
    }
    return this.#write(path, text, "what was seen is not saved");
  }

  add(identity: ServerIdentity, added: PinSet): boolean {
    const path = this.pathOf(identity);
    const doc = this.#read(path, false);
    const pins = doc?.pins ?? emptyPins();
    const seen = doc?.seen ?? emptySeen();
    for (const kind of LIST_KINDS) {
      for (const [name, pin] of added[kind]) if (!pins[kind].has(name)) pins[kind].set(name, pin);
    }
    let text = pinFileText(identity, pins, seen);
    if (text.length > MAX_PIN_FILE_BYTES) {
      // Keep the new pins by their hash alone rather than not at all.
      for (const kind of LIST_KINDS) {
        for (const [name] of added[kind]) {
          const pin = pins[kind].get(name)!;
          pins[kind].set(name, { hash: pin.hash, first_seen: pin.first_seen });
        }
      }
      text = pinFileText(identity, pins, seen);
    }
    return this.#write(path, text, "new pins are not saved");
  }

  #write(path: string, text: string, otherwise: string): boolean {
    if (text.length > MAX_PIN_FILE_BYTES) {
      this.#warn(`the pin file "${path}" would exceed ${MAX_PIN_FILE_BYTES} bytes: ${otherwise}`);
      return false;
    }
    try {
      writeFileAtomically(this.#dir, path, text);
      return true;
    } catch (error) {
      this.#warn(`cannot write the pin file "${path}": ${(error as Error).message}; ${otherwise}`);
      return false;
    }
  }

  /** The file at `path`; undefined when there is none or it is unusable (set aside). */
  #read(path: string, report: boolean): PinDocument | undefined {
    let text: string;
    try {
      const size = Deno.statSync(path).size;
      if (size > MAX_PIN_FILE_BYTES) {
        this.#setAside(path, `it is larger than ${MAX_PIN_FILE_BYTES} bytes (${size})`, report);
        return undefined;
      }
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      if (report) {
        this.#warn(
          `cannot read the pin file "${path}": ${(error as Error).message}; starting with no pins`,
        );
      }
      return undefined;
    }
    try {
      return parsePinDocument(text);
    } catch (error) {
      this.#setAside(path, (error as Error).message, report);
      return undefined;
    }
  }

  #setAside(path: string, why: string, report: boolean) {
    const aside = `${path}.corrupt-${this.#now()}`;
    let moved = true;
    try {
      Deno.renameSync(path, aside);
    } catch {
      moved = false;
    }
    if (report || moved) {
      this.#warn(
        `the pin file "${path}" is not a valid pin file (${why}); ${
          moved ? `set aside as "${aside}"` : "left in place"
        }: starting with no pins for this server`,
      );
    }
  }
}
