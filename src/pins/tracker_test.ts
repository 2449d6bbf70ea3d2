/** The pin store on a temporary folder, and a session's tracker across sessions. */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { serverIdentity } from "./definition.ts";
import { emptyPins, parsePinFile, PinFiles } from "./pin_file.ts";
import { type PinEvent, PinTracker } from "./tracker.ts";

const tool = (name: string, description: string) => ({
  name,
  description,
  inputSchema: { type: "object" },
});
const listing = { serverName: "srv", firstPage: true, complete: true, seq: 7 };

function session(dir: string, warnings: string[] = []) {
  const records: [PinEvent, Record<string, unknown>][] = [];
  const tracker = new PinTracker({
    command: ["node", "server.js"],
    store: new PinFiles(dir, (w) => warnings.push(w), () => 42),
    now: () => Date.UTC(2026, 0, 1),
    record: (event, fields) => records.push([event, fields]),
  });
  return { tracker, records, warnings };
}

Deno.test("pins survive the session: pinned first, then unchanged, then changed with a record", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = session(dir);
    first.tracker.listed("tools", [tool("a", "Adds.")], listing);
    deepStrictEqual(first.records.map(([e]) => e), ["definitions_pinned"]);
    equal((first.records[0][1] as { saved: boolean }).saved, true);
    equal(first.tracker.tool("a")!.status, "new");

    const second = session(dir);
    second.tracker.listed("tools", [tool("a", "Adds.")], listing);
    deepStrictEqual(second.records, []);
    equal(second.tracker.tool("a")!.status, "unchanged");
    equal(second.tracker.tool("a")!.first_seen, "2026-01-01T00:00:00.000Z");

    const third = session(dir);
    third.tracker.listed("tools", [tool("a", "Adds. <IMPORTANT>do it</IMPORTANT>")], listing);
    third.tracker.listed("tools", [tool("a", "Adds. <IMPORTANT>do it</IMPORTANT>")], listing);
    deepStrictEqual(
      third.records.map(([e]) => e),
      ["definitions_changed"],
      "a repeat is not recorded again",
    );
    const changed = (third.records[0][1].changed as { name: string; added_labels: string[] }[])[0];
    deepStrictEqual([changed.name, changed.added_labels], ["a", ["model_instruction"]]);
    equal(third.records[0][1].cause_seq, 7);
    // The pin stays the first sight: a fourth session still sees the change.
    const fourth = session(dir);
    fourth.tracker.listed("tools", [tool("a", "Adds. <IMPORTANT>do it</IMPORTANT>")], listing);
    equal(fourth.tracker.tool("a")!.status, "changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("another reported server name is another identity, with pins of its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    session(dir).tracker.listed("tools", [tool("a", "Adds.")], listing);
    const other = session(dir);
    other.tracker.listed("tools", [tool("a", "Other.")], { ...listing, serverName: "other" });
    equal(other.tracker.tool("a")!.status, "new");
    equal([...Deno.readDirSync(dir)].length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt pin file is set aside with a warning and the session starts afresh", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = new PinFiles(dir, () => {});
    const path = files.pathOf(serverIdentity(["node", "server.js"], "srv"));
    await Deno.writeTextFile(path, "{ not json");
    const s = session(dir);
    s.tracker.listed("tools", [tool("a", "Adds.")], listing);
    equal(s.warnings.length, 1);
    ok(
      s.warnings[0].includes("is not a valid pin file") && s.warnings[0].includes(".corrupt-42"),
      s.warnings[0],
    );
    equal(s.tracker.tool("a")!.status, "new");
    ok(parsePinFile(await Deno.readTextFile(path)).tools.has("a"), "a fresh file was written");
    ok((await Deno.readTextFile(`${path}.corrupt-42`)).startsWith("{ not json"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pin file of another shape is rejected with what was expected", () => {
  for (
    const [text, why] of [
      ['{"format":"x"}', 'expected "format": "km.pins/v1"'],
      ['{"format":"km.pins/v1","tools":[]}', '"tools" to be an object'],
      ['{"format":"km.pins/v1","tools":{"a":{"hash":1}}}', 'the pin of tools "a"'],
    ]
  ) {
    try {
      parsePinFile(text);
      ok(false, `accepted ${text}`);
    } catch (error) {
      ok((error as Error).message.includes(why), (error as Error).message);
    }
  }
});

Deno.test("two sessions adding pins at once keep both; the first pin of a name wins", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = new PinFiles(dir, () => {});
    const id = serverIdentity(["s"], "n");
    const one = emptyPins(), two = emptyPins();
    one.tools.set("a", { hash: "h1", first_seen: "t1" });
    two.tools.set("a", { hash: "h2", first_seen: "t2" });
    two.tools.set("b", { hash: "h3", first_seen: "t2" });
    ok(files.add(id, one));
    ok(files.add(id, two));
    const pins = files.load(id);
    deepStrictEqual([pins.tools.get("a")!.hash, pins.tools.get("b")!.hash], ["h1", "h3"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unwritable pin folder warns and the session goes on with its pins in memory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const s = session(`${dir}/file/pins`);
    s.tracker.listed("tools", [tool("a", "Adds.")], listing);
    equal((s.records[0][1] as { saved: boolean }).saved, false);
    ok(s.warnings.some((w) => w.includes("cannot write the pin file")), s.warnings.join("\n"));
    s.tracker.listed("tools", [tool("a", "Adds.")], listing);
    equal(s.tracker.tool("a")!.status, "unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a later page adds to the tools known; a first page replaces them", () => {
  const tracker = new PinTracker({ command: ["s"], now: () => 0, record: () => {} });
  tracker.listed("tools", [tool("a", "A.")], { ...listing, complete: false });
  tracker.listed("tools", [tool("b", "B.")], { ...listing, firstPage: false, complete: false });
  ok(tracker.tool("a") && tracker.tool("b"));
  tracker.listed("tools", [tool("b", "B.")], listing);
  equal(tracker.tool("a"), undefined);
});

Deno.test("the latest definition seen differ from its pin is kept beside the pins, and forgotten when the pin is listed again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    session(dir).tracker.listed("tools", [tool("a", "Adds."), tool("b", "Bs.")], listing);
    const files = new PinFiles(dir, () => {});
    const id = serverIdentity(["node", "server.js"], "srv");
    equal(files.loadSeen(id).tools.size, 0);
    const changed = session(dir);
    changed.tracker.listed("tools", [tool("a", "Adds more."), tool("b", "Bs.")], listing);
    const seen = files.loadSeen(id).tools.get("a")!;
    deepStrictEqual(seen, {
      hash: changed.tracker.tool("a")!.hash,
      seen_at: "2026-01-01T00:00:00.000Z",
      definition: tool("a", "Adds more."),
    });
    // The pins are untouched by it, and adding pins keeps it.
    equal(files.load(id).tools.get("a")!.definition!.description, "Adds.");
    session(dir).tracker.listed("tools", [tool("a", "Adds more."), tool("c", "Cs.")], listing);
    ok(files.load(id).tools.has("c"));
    equal(files.loadSeen(id).tools.get("a")!.hash, seen.hash);
    // A file written before `seen` existed still reads; the section is written only when needed.
    const text = await Deno.readTextFile(files.pathOf(id));
    ok(JSON.parse(text).seen.tools.a);
    session(dir).tracker.listed("tools", [tool("a", "Adds.")], listing);
    equal(files.loadSeen(id).tools.size, 0);
    equal(JSON.parse(await Deno.readTextFile(files.pathOf(id))).seen, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a record of changes leaves out the listing's positions and descriptions kept for policies", () => {
  const records: Record<string, unknown>[] = [];
  const tracker = new PinTracker({
    command: ["s"],
    now: () => 0,
    record: (_, fields) => records.push(fields),
  });
  tracker.listed("tools", [tool("a", "A.")], listing);
  tracker.listed("tools", [tool("a", "A, now.")], listing);
  const changed = (records[1].changed as Record<string, unknown>[])[0];
  deepStrictEqual(Object.keys(changed).sort(), [
    "added_labels",
    "changed",
    "first_seen",
    "hash",
    "labels",
    "name",
    "status",
  ]);
  equal(tracker.tool("a")!.description, "A, now.");
});

Deno.test("the pin file keeps the --name km's session gave the server, without it changing the identity", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tracker = new PinTracker({
      command: ["node", "server.js"],
      kmName: "github",
      store: new PinFiles(dir, () => {}, () => 42),
      now: () => Date.UTC(2026, 0, 1),
      record: () => {},
    });
    tracker.listed("tools", [tool("a", "Adds.")], listing);
    const id = serverIdentity(["node", "server.js"], "srv").id;
    const text = await Deno.readTextFile(`${dir}/${id}.json`);
    deepStrictEqual(JSON.parse(text).identity, {
      command: ["node", "server.js"],
      server_name: "srv",
      km_name: "github",
    });
    // Another session without a --name finds the same pins.
    const again = session(dir);
    again.tracker.listed("tools", [tool("a", "Adds.")], listing);
    equal(again.tracker.tool("a")!.status, "unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
