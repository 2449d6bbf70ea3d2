/**
 * The dashboard's tool catalogue: the pin files of km's data folder (`<dataDir>/pins/<id>.json`)
 * read for `GET /api/pins` and `GET /api/pins/<id>`, and an accept (`POST /api/pins/<id>/accept`)
 * written back as `km pins accept` writes it. What to show and what to write is
 * src/pins/manage.ts (summarize, changesOf, accept); the labels of a definition are the pins'
 * own detectors (compareListing). Only the files are read and written here.
 */
import { compareListing, type Pin } from "../pins/compare.ts";
import { LIST_KINDS, type ListKind } from "../pins/definition.ts";
import { accept, changesOf, type PinFileEntry, summarize } from "../pins/manage.ts";
import { emptySeen, pinFileText, writeFileAtomically } from "../pins/pin_file.ts";
import { PIN_ID, readPinEntry, readPinFolder } from "../pins/pin_folder.ts";
import type {
  PinAcceptBody,
  PinAccepted,
  PinItem,
  PinServer,
  PinServerDetail,
  PinServerList,
} from "./api_types.ts";

/** An answer: the status and its JSON body. */
export type PinsAnswer<T> =
  | { readonly status: 200; readonly body: T }
  | { readonly status: 400 | 404 | 500; readonly body: { readonly error: string } };

function serverOf(entry: PinFileEntry): PinServer {
  const s = summarize(entry);
  const kmName = entry.doc.identity?.km_name;
  return {
    id: s.id,
    command: s.command,
    server_name: s.server_name,
    ...(kmName === undefined ? {} : { km_name: kmName }),
    pinned: s.pinned,
    changed: s.changed,
    changed_total: LIST_KINDS.reduce((n, k) => n + s.changed[k], 0),
    ...(s.last_change === undefined ? {} : { last_change: s.last_change }),
    ...(s.last_pinned === undefined ? {} : { last_pinned: s.last_pinned }),
  };
}

/** `GET /api/pins`. */
export async function listPins(dir: string): Promise<PinsAnswer<PinServerList>> {
  try {
    const { entries, skipped: unread } = await readPinFolder(dir);
    const skipped = unread.map((s) => `${s.name}: ${s.error}`);
    return { status: 200, body: { servers: entries.map(serverOf), skipped } };
  } catch (error) {
    return {
      status: 500,
      body: { error: `cannot read the pin folder "${dir}": ${(error as Error).message}` },
    };
  }
}

/** The detectors' labels of a definition, as a listing of it would carry them. */
function labelsOf(kind: ListKind, definition: Record<string, unknown>, pin: Pin): string[] {
  const name = definition.name;
  if (typeof name !== "string") return [];
  const compared = compareListing(kind, [definition], new Map([[name, pin]]), {
    complete: false,
    now: pin.first_seen,
    room: 0,
  });
  return [...(compared.items.get(name)?.labels ?? [])];
}

async function entryOf(dir: string, id: string) {
  if (!PIN_ID.test(id)) {
    return { status: 400 as const, body: { error: `"${id}" is not a server identity id` } };
  }
  const entry = await readPinEntry(dir, id);
  if ("missing" in entry) {
    return { status: 404 as const, body: { error: `no server with pins has the id "${id}"` } };
  }
  if ("error" in entry) {
    return { status: 500 as const, body: { error: `cannot read its pin file: ${entry.error}` } };
  }
  return entry;
}

/** `GET /api/pins/<id>`. */
export async function pinDetail(dir: string, id: string): Promise<PinsAnswer<PinServerDetail>> {
  const entry = await entryOf(dir, id);
  if ("status" in entry) return entry;
  const { pins, seen } = entry.doc;
  const changes = changesOf(entry.doc);
  const items = {} as Record<ListKind, PinItem[]>;
  for (const kind of LIST_KINDS) {
    items[kind] = [...pins[kind]].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(
      ([name, pin]) => {
        const change = changes.find((c) => c.kind === kind && c.name === name);
        const seenEntry = seen[kind].get(name);
        return {
          kind,
          name,
          hash: pin.hash,
          first_seen: pin.first_seen,
          ...(pin.definition ? { definition: pin.definition } : {}),
          labels: pin.definition ? labelsOf(kind, pin.definition, pin) : [],
          ...(change && seenEntry
            ? {
              change: {
                seen_at: change.seen_at,
                hash: change.hash,
                ...(seenEntry.definition ? { definition: seenEntry.definition } : {}),
                changed: change.changed,
                labels: seenEntry.definition ? labelsOf(kind, seenEntry.definition, pin) : [],
                added_labels: change.added_labels,
              },
            }
            : {}),
        };
      },
    );
  }
  return { status: 200, body: { server: serverOf(entry), items } };
}

/** Reads an accept's body: `{}`, `{"kind"}`, `{"name"}` or both; else an error. */
export function parseAcceptBody(text: string): PinAcceptBody | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'the body must be JSON: {} or {"kind": "tools", "name": "…"}' };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { error: "the body must be a JSON object" };
  }
  const { kind, name, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return { error: `unknown member "${unknown[0]}": expected kind, name` };
  if (kind !== undefined && !LIST_KINDS.includes(kind as ListKind)) {
    return { error: `"kind" must be one of ${LIST_KINDS.join(", ")}` };
  }
  if (name !== undefined && (typeof name !== "string" || name === "")) {
    return { error: `"name" must be a non-empty string` };
  }
  return {
    ...(kind === undefined ? {} : { kind: kind as ListKind }),
    ...(name === undefined ? {} : { name: name as string }),
  };
}

/**
 * `POST /api/pins/<id>/accept`: the latest definitions seen become the pins (src/pins/manage.ts,
 * accept), of every kind or of `kind` only, all or the item `name`; the file is written whole
 * and atomically. 400 when there is nothing to accept.
 */
export async function acceptPins(
  dir: string,
  id: string,
  body: PinAcceptBody,
  now: string,
): Promise<PinsAnswer<PinAccepted>> {
  const entry = await entryOf(dir, id);
  if ("status" in entry) return entry;
  const doc = entry.doc;
  // One kind: accept sees only that kind's changes, and the others' are kept as they were.
  const scoped = body.kind === undefined
    ? doc
    : { ...doc, seen: { ...emptySeen(), [body.kind]: doc.seen[body.kind] } };
  let result;
  try {
    result = accept(scoped, now, body.name);
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
  if (result.accepted.length === 0) {
    return { status: 400, body: { error: "nothing changed since pinned, nothing to accept" } };
  }
  const seen = body.kind === undefined
    ? result.doc.seen
    : { ...doc.seen, [body.kind]: result.doc.seen[body.kind] };
  const text = pinFileText(
    doc.identity ?? { command: [], server_name: "" },
    result.doc.pins,
    seen,
  );
  try {
    writeFileAtomically(dir, entry.path, text);
  } catch (error) {
    return {
      status: 500,
      body: { error: `cannot write "${entry.path}": ${(error as Error).message}` },
    };
  }
  return {
    status: 200,
    body: {
      id,
      accepted: result.accepted.map((c) => ({
        kind: c.kind,
        name: c.name,
        hash: c.hash,
        added_labels: c.added_labels,
      })),
    },
  };
}
