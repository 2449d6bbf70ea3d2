/**
 * A log disk that is full or fills up: km never forwards a request it could not record, never
 * leaves a torn record, counts only what it wrote, and says so in its exit code. Against a real
 * server on the official Go SDK that records what it executed, and a real (small) tmpfs, which
 * needs root and mount; without them that test is skipped with a message.
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { KmProcess, processesMatching, readSessionLog } from "./helpers.ts";
import { execLogSession, handshake, response, SDK_SERVERS } from "./sdk_servers.ts";

const GO = SDK_SERVERS.find((s) => s.name === "go-sdk")!;

/** km's exit code when some records could not be written (EX_IOERR). */
const EXIT_AUDIT_INCOMPLETE = 74;

Deno.test("a log disk already full at start: km refuses to start, and no server runs", async () => {
  const session = await execLogSession();
  try {
    const km = new KmProcess(["monitor", "--log-file", "/dev/full", "--", ...GO.command], {
      env: session.env,
    });
    await km.closeStdin();
    const status = await km.exit();
    equal(status.code, 1, km.stderr); // LOG_UNWRITABLE
    ok(km.stderr.includes("/dev/full") && km.stderr.includes("No space left"), km.stderr);
    equal(km.stdout, "");
    assertEquals(await session.read(), []);
  } finally {
    await session.cleanup();
  }
});

async function mountSmallDisk(dir: string, size: string): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  try {
    const { code } = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

Deno.test("a log disk that fills up: every executed call has its record, later calls are refused, no torn line", async (t) => {
  const session = await execLogSession();
  const disk = `${session.dir}/disk`;
  await Deno.mkdir(disk);
  if (!(await mountSmallDisk(disk, "256k"))) {
    // deno-lint-ignore no-console -- tells the person running the tests what was not tested.
    console.error("skipped: mounting a small tmpfs needs Linux, root and mount");
    await session.cleanup();
    return;
  }
  try {
    const km = new KmProcess(["monitor", "--log-dir", disk, "--", ...GO.command], {
      env: session.env,
    });
    await handshake(km);
    const outcomes: string[] = [];
    for (let i = 1; i <= 30; i++) {
      const text = `call-${i} ${"x".repeat(16 * 1024)}`;
      await km.write(
        JSON.stringify({
          jsonrpc: "2.0",
          id: i,
          method: "tools/call",
          params: { name: "echo", arguments: { text } },
        }) + "\n",
      );
      const answer = await response(km, i);
      outcomes.push("result" in answer ? "ran" : String((answer.error as { code: number }).code));
    }
    await km.closeStdin();
    const status = await km.exit();
    await t.step("the disk filled, and km refused the calls it could not record", () => {
      ok(outcomes.includes("ran") && outcomes.includes("-32011"), outcomes.join(" "));
      // Once refusing, km refuses on: the disk is still full.
      equal(outcomes.slice(outcomes.indexOf("-32011")).every((o) => o === "-32011"), true);
    });
    const files = [...Deno.readDirSync(disk)].map((e) => e.name);
    const text = await Deno.readTextFile(`${disk}/${files[0]}`);
    await t.step("no torn record: the log ends at a line's end, and every line is JSON", () => {
      ok(text.endsWith("\n"));
      for (const line of text.trimEnd().split("\n")) JSON.parse(line);
    });
    await t.step("every call the server executed has its request's record", async () => {
      const executed = (await session.read()).map((e) => e.arguments.text.split(" ")[0]);
      equal(executed.length, outcomes.filter((o) => o === "ran").length);
      for (const call of executed) ok(text.includes(`"text":"${call} `), `${call} has no record`);
    });
    await t.step("the exit code and stderr say records were lost", () => {
      equal(status.code, EXIT_AUDIT_INCOMPLETE, km.stderr);
      ok(km.stderr.includes("No space left on device"), km.stderr);
    });
  } finally {
    await unmount(disk);
    await session.cleanup();
  }
});

Deno.test("km killed with SIGKILL mid-stream: every answer the client got has its record", async () => {
  const session = await execLogSession();
  const km = new KmProcess(["monitor", "--log-dir", session.logDir, "--", ...GO.command], {
    env: session.env,
  });
  try {
    await handshake(km);
    const calls = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id: i + 1,
        method: "tools/call",
        params: { name: "echo", arguments: { text: `call ${i + 1}` } },
      }) + "\n").join("");
    void km.write(calls).catch(() => {});
    // Kill it while answers are streaming.
    await km.waitFor(/"id":300,/);
    km.child.kill("SIGKILL");
    await km.exit();
    const whole = km.stdout.slice(0, km.stdout.lastIndexOf("\n") + 1);
    const received = whole.split("\n").filter(Boolean).map((l) => JSON.parse(l).id as number)
      .filter((id) => id > 0);
    ok(received.length >= 300, `${received.length} answers`);
    const log = await readSessionLog(session.logDir);
    const recorded = new Set(
      log.filter((r) => r.direction === "server_to_client" && r.kind === "response")
        .map((r) => Number(r.id)),
    );
    assertEquals(received.filter((id) => !recorded.has(id)), []);
  } finally {
    // SIGKILL cannot be caught: the server outlives km, as documented. Stop its process group.
    const start = (await readSessionLog(session.logDir)).find((r) => r.event === "start");
    const pid = (start?.server as { pid?: number } | undefined)?.pid;
    if (pid) {
      try {
        Deno.kill(-pid, "SIGKILL");
      } catch { /* gone */ }
      for (let i = 0; i < 50 && (await processesMatching(GO.command[0])).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await session.cleanup();
  }
});
