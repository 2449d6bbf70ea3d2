/**
 * One listing (`tools/list`, `prompts/list`, `resources/templates/list`) compared with the
 * pins of its server: each item new, unchanged or changed (with what changed and the labels
 * the change adds), the pinned items the listing no longer has, and the pins to add. Pure: the
 * pins come in, the comparison and the new pins go out.
 *
 * A listing may try to confuse: the same name twice with different definitions (which one a
 * client keeps is its own affair), or a name that looks like another (`read_file` in Cyrillic).
 * Both are labelled (`duplicate_definition`, `confusable_name`), and every occurrence of a name
 * is compared, so a changed second copy still counts as a change.
 */
import {
  canonicalJson,
  hashOf,
  type ListKind,
  nameSkeleton,
  pinnedDefinition,
} from "./definition.ts";
import { identifierLike, type Label, scanValue } from "./detectors.ts";
import { diffDefinitions, type FieldChange } from "./diff.ts";

type Obj = Record<string, unknown>;

/** A definition as first seen, kept in the pin file. */
export interface Pin {
  readonly hash: string;
  /** RFC 3339 time of first sight. */
  readonly first_seen: string;
  /** The definition, unless it was too large to keep (then only its hash is compared). */
  readonly definition?: Obj;
}

export type PinStatus = "new" | "unchanged" | "changed";

/** What the policy is told about one listed item (`input.tool.pin`, `input.pins.items`). */
export interface ItemPin {
  readonly status: PinStatus;
  readonly first_seen: string;
  readonly hash: string;
  /** Changed only: the fields that differ from the pin. */
  readonly changed?: readonly FieldChange[];
  /** What the definition listed now carries: detector labels and the listing's own. */
  readonly labels: readonly string[];
  /** Changed only: the detector labels the change adds (absent before it). */
  readonly added_labels?: readonly string[];
  /**
   * The item's position in the listing (its last occurrence), so that a policy can patch its
   * entry (`/result/tools/<index>/description`).
   */
  readonly index: number;
  /**
   * Changed only: the `description` listed now (of the last distinct definition of the name),
   * when it is a string, so that a policy can mark it without reading the message.
   */
  readonly description?: string;
}

export interface ListingComparison {
  readonly kind: ListKind;
  /** Every listed name, in listing order. */
  readonly items: ReadonlyMap<string, ItemPin>;
  /** Pinned names this listing lacks; only for a complete listing, else empty. */
  readonly removed: readonly string[];
  readonly complete: boolean;
  /** Items without a string name, which cannot be pinned. */
  readonly unnamed: number;
  /** Pins to add: names seen for the first time, within the room there was. */
  readonly newPins: ReadonlyMap<string, Pin>;
  /**
   * The changed names' definitions as listed now (their last occurrence), unless too large to
   * keep: what `km pins diff` shows and `km pins accept` pins.
   */
  readonly current: ReadonlyMap<string, Obj>;
}

export interface CompareOptions {
  /** The listing is whole: a first page without `nextCursor`. */
  readonly complete: boolean;
  /** RFC 3339 time of now, for new pins. */
  readonly now: string;
  /** How many pins may still be added for this kind; items beyond are labelled `unpinned`. */
  readonly room: number;
}

/** Definitions larger than this (canonical characters) are pinned by their hash alone. */
export const MAX_KEPT_DEFINITION_CHARS = 64 * 1024;
/** Characters the detectors read per definition, at most. */
const DEFINITION_SCAN_CHARS = 64 * 1024;
/** Listings with more names than this are not searched for mentions of each other's names. */
const MAX_NAMES_FOR_REFERENCES = 256;

interface Occurrence {
  readonly definition: Obj;
  readonly canonical: string;
  readonly hash: string;
}

export function compareListing(
  kind: ListKind,
  listed: readonly unknown[],
  pins: ReadonlyMap<string, Pin>,
  options: CompareOptions,
): ListingComparison {
  const byName = new Map<string, Occurrence[]>();
  /** Each name's position in the listing (its last occurrence). */
  const lastIndex = new Map<string, number>();
  let unnamed = 0;
  for (const [index, raw] of listed.entries()) {
    const item = typeof raw === "object" && raw !== null && !Array.isArray(raw)
      ? raw as Obj
      : undefined;
    if (typeof item?.name !== "string") {
      unnamed++;
      continue;
    }
    const definition = pinnedDefinition(item);
    const canonical = canonicalJson(definition);
    const occurrence = { definition, canonical, hash: hashOf(canonical) };
    lastIndex.set(item.name, index);
    const seen = byName.get(item.name);
    if (!seen) byName.set(item.name, [occurrence]);
    else if (!seen.some((o) => o.hash === occurrence.hash)) seen.push(occurrence);
  }

  const confusable = confusableNames([...byName.keys()], [...pins.keys()]);
  const referable = byName.size <= MAX_NAMES_FOR_REFERENCES
    ? [...byName.keys()].filter(identifierLike).map((n) => n.toLowerCase())
    : [];
  const items = new Map<string, ItemPin>();
  const newPins = new Map<string, Pin>();
  const current = new Map<string, Obj>();
  let room = options.room;
  for (const [name, occurrences] of byName) {
    const others = referable.filter((n) => n !== name.toLowerCase());
    const scan = (value: unknown) =>
      scanValue(value, { budget: DEFINITION_SCAN_CHARS, toolNames: others }).labels;
    let pin = pins.get(name);
    const extra: string[] = [];
    if (confusable.has(name)) extra.push("confusable_name");
    if (occurrences.length > 1) extra.push("duplicate_definition");
    if (!pin) {
      const first = occurrences[0];
      pin = {
        hash: first.hash,
        first_seen: options.now,
        ...(first.canonical.length <= MAX_KEPT_DEFINITION_CHARS
          ? { definition: first.definition }
          : {}),
      };
      if (room > 0) {
        newPins.set(name, pin);
        room--;
      } else {
        extra.push("unpinned");
      }
    }
    const labels = new Set<string>();
    const changed: FieldChange[] = [];
    const added = new Set<Label>();
    let status: PinStatus = pins.has(name) ? "unchanged" : "new";
    for (const occurrence of occurrences) {
      for (const label of scan(occurrence.definition)) labels.add(label);
      if (occurrence.hash === pin.hash) continue;
      status = "changed";
      const changes = pin.definition
        ? diffDefinitions(pin.definition, occurrence.definition)
        : [{ field: "", after: "the pinned definition was too large to keep: only its hash" }];
      for (const change of changes) {
        changed.push(change);
        const before = new Set(change.before === undefined ? [] : scan(change.before));
        for (const label of change.after === undefined ? [] : scan(change.after)) {
          if (!before.has(label)) added.add(label);
        }
      }
      if (!pin.definition) { for (const label of scan(occurrence.definition)) added.add(label); }
    }
    for (const label of extra) labels.add(label);
    const last = occurrences[occurrences.length - 1];
    const description = last.definition.description;
    if (status === "changed" && last.canonical.length <= MAX_KEPT_DEFINITION_CHARS) {
      current.set(name, last.definition);
    }
    items.set(name, {
      status,
      first_seen: pin.first_seen,
      hash: last.hash,
      ...(status === "changed" ? { changed, added_labels: [...added] } : {}),
      labels: [...labels],
      index: lastIndex.get(name)!,
      ...(status === "changed" && typeof description === "string" ? { description } : {}),
    });
  }
  const removed = options.complete ? [...pins.keys()].filter((name) => !byName.has(name)) : [];
  return { kind, items, removed, complete: options.complete, unnamed, newPins, current };
}

/** Listed names that look like another listed or pinned name without being it. */
function confusableNames(listed: readonly string[], pinned: readonly string[]): Set<string> {
  const bySkeleton = new Map<string, Set<string>>();
  for (const name of [...listed, ...pinned]) {
    const skeleton = nameSkeleton(name);
    const names = bySkeleton.get(skeleton) ?? new Set<string>();
    names.add(name);
    bySkeleton.set(skeleton, names);
  }
  const out = new Set<string>();
  for (const name of listed) {
    if ((bySkeleton.get(nameSkeleton(name))?.size ?? 0) > 1) out.add(name);
  }
  return out;
}
