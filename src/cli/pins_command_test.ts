/** km pins over a temporary pin folder: usage errors, the y/N question, reset. */
import { equal, ok, rejects } from "node:assert/strict";
import type { KmError } from "../errors.ts";
import { serverIdentity } from "../pins/definition.ts";
import { emptyPins, PinFiles } from "../pins/pin_file.ts";
import { parsePinsArgs, runPins } from "./pins_command.ts";

async function folder() {
  const dir = await Deno.makeTempDir();
  const pins = emptyPins();
  pins.tools.set("echo", { hash: "sha256:e", first_seen: "2026-01-01T00:00:00.000Z" });
  new PinFiles(dir, () => {}).add(serverIdentity(["node", "srv.js"], "srv"), pins);
  return dir;
}

function io(answer = "", terminal = true) {
  let out = "";
  const warnings: string[] = [];
  return {
    io: {
      out: { write: (t: string) => void (out += t) },
      diagnostics: {
        warn: (t: string) => void warnings.push(t),
        info: () => {},
        error: () => {},
      } as never,
      stdin: new Blob([answer]).stream(),
      env: {},
      os: "linux",
      isTerminal: () => terminal,
    },
    out: () => out,
    warnings,
  };
}

Deno.test("options may follow the words", () => {
  const { values, words } = parsePinsArgs(["accept", "srv", "--yes", "echo"], {});
  equal(values.yes, true);
  equal(words.join(" "), "accept srv echo");
});

Deno.test("usage errors name what was expected", async () => {
  const dir = await folder();
  try {
    const t = io();
    await rejects(runPins(dir, [], {}, t.io), /needs a command: list, diff, accept or reset/);
    await rejects(runPins(dir, ["pin"], {}, t.io), /unknown pins command "pin"/);
    await rejects(runPins(dir, ["diff"], {}, t.io), /needs the server/);
    await rejects(runPins(dir, ["reset", "srv", "x"], {}, t.io), /unexpected argument "x"/);
    await rejects(runPins(dir, ["diff", "nope"], {}, t.io), (e: KmError) => {
      ok(e.message.includes('no server with pins is "nope"; expected one of: '), e.message);
      return e.code === "USAGE";
    });
    await rejects(runPins(dir, ["diff", "srv", "echo"], {}, t.io), /no change was seen for "echo"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reset asks at a terminal: no keeps the pins, yes forgets them; a stray file is warned about", async () => {
  const dir = await folder();
  try {
    await Deno.writeTextFile(`${dir}/${"0".repeat(32)}.json`, "{");
    const no = io("n\n");
    equal(await runPins(dir, ["reset", "srv"], {}, no.io), 0);
    ok(no.out().includes("[y/N] nothing reset"), no.out());
    ok(no.warnings[0].includes("not a pin file"), no.warnings.join());
    const yes = io("y\n");
    equal(await runPins(dir, ["reset", "srv"], {}, yes.io), 0);
    ok(yes.out().includes("forgot 1 pins"), yes.out());
    const list = io();
    await runPins(dir, ["list"], {}, list.io);
    ok(list.out().includes("no server has pins"), list.out());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
