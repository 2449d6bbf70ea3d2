/**
 * The pin store: one JSON file per server identity, `<dataDir>/pins/<id>.json`. Read once,
 * when a session first lists something; written whole and atomically (a temporary file
 * renamed over the old one) when pins are added, merged with what another session of the same
 * server may have written meanwhile (the first pin of a name wins). A file that cannot be read
 * as pins is set aside as `<id>.json.corrupt-<time>` with a warning, and the session starts
 * with no pins: a damaged store never stops the relay. The I/O edge of src/pins/.
 */
import type { Pin } from "./compare.ts";
import { LIST_KINDS, type ListKind, type ServerIdentity } from "./definition.ts";

export const PIN_FILE_FORMAT = "km.pins/v1";

/** A pin file larger than this is not read (it is set aside), and not written. */
export const MAX_PIN_FILE_BYTES = 16 * 1024 * 1024;

export type PinSet = Record<ListKind, Map<string, Pin>>;

export function emptyPins(): PinSet {
  return { tools: new Map(), prompts: new Map(), resource_templates: new Map() };
}

/** What the tracker needs of a store. */
export interface PinStore {
  /** The pins of a server; empty when it has none (or its file was unusable). */
  load(identity: ServerIdentity): PinSet;
  /** Adds pins (names already pinned on disk are kept as they are); false if not written. */
  add(identity: ServerIdentity, added: PinSet): boolean;
}

/** Reads a pin file's text; throws a message naming what is wrong. */
export function parsePinFile(text: string): PinSet {
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
  return pins;
}

/** The text of a pin file. */
export function pinFileText(identity: ServerIdentity, pins: PinSet): string {
  const doc: Record<string, unknown> = {
    format: PIN_FILE_FORMAT,
    identity: { command: identity.command, server_name: identity.serverName },
  };
  // fromEntries defines own members: a tool named "__proto__" is kept like any other.
  for (const kind of LIST_KINDS) doc[kind] = Object.fromEntries(pins[kind]);
  return JSON.stringify(doc, null, 1) + "\n";
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
    return this.#read(this.pathOf(identity), true) ?? emptyPins();
  }

  add(identity: ServerIdentity, added: PinSet): boolean {
    const path = this.pathOf(identity);
    const pins = this.#read(path, false) ?? emptyPins();
    for (const kind of LIST_KINDS) {
      for (const [name, pin] of added[kind]) if (!pins[kind].has(name)) pins[kind].set(name, pin);
    }
    let text = pinFileText(identity, pins);
    if (text.length > MAX_PIN_FILE_BYTES) {
      // Keep the new pins by their hash alone rather than not at all.
      for (const kind of LIST_KINDS) {
        for (const [name] of added[kind]) {
          const pin = pins[kind].get(name)!;
          pins[kind].set(name, { hash: pin.hash, first_seen: pin.first_seen });
        }
      }
      text = pinFileText(identity, pins);
    }
    if (text.length > MAX_PIN_FILE_BYTES) {
      this.#warn(
        `the pin file "${path}" would exceed ${MAX_PIN_FILE_BYTES} bytes: new pins are not saved`,
      );
      return false;
    }
    const temporary = `${path}.tmp-${Deno.pid}`;
    try {
      Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      Deno.writeTextFileSync(temporary, text, { mode: 0o600 });
      Deno.renameSync(temporary, path);
      return true;
    } catch (error) {
      try {
        Deno.removeSync(temporary);
      } catch { /* it may not exist */ }
      this.#warn(
        `cannot write the pin file "${path}": ${(error as Error).message}; new pins are not saved`,
      );
      return false;
    }
  }

  /** The pins in `path`; undefined when there is no file or it is unusable (set aside). */
  #read(path: string, report: boolean): PinSet | undefined {
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
      return parsePinFile(text);
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
