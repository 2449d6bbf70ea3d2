/**
 * km as its users install it: the npm package built from this tree (scripts/pack.ts), installed
 * with `npm install -g --prefix <tmp>` under a fresh HOME, then run with a PATH holding only
 * Node.js and the prefix's bin (no deno, go or opa). Both ways the package starts km are run: the
 * installed `km`, which the install script points at Deno directly (bin/km-direct), and the
 * Node.js launcher (bin/km.cjs), which npm links instead on Windows or without install scripts.
 * It checks `km --version`, a real session whose policy directory (compiled by the WebAssembly
 * compiler the package ships, in its bundled worker) denies a call that never reaches the
 * server, the server's exit code passed through, `km policy test` on an example, and `km ui`
 * serving its page and API to its token, stopped by a SIGTERM the launcher forwards.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { pack } from "../scripts/pack.ts";
import { npmInstallGlobal, prefixBin } from "../scripts/pack/npm.ts";
import { DENO_PIN, VERSION } from "../src/version.ts";
import { INITIALIZE, INITIALIZED, processesMatching, readSessionLog, ROOT } from "./helpers.ts";

const TS_SERVER = `${ROOT}tests/peers/ts_server.mjs`;

/** The first `name` on PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The npm cache of the machine's user, so the install reads `deno` from it when it can. */
async function npmCache(): Promise<string> {
  const { stdout } = await new Deno.Command("npm", { args: ["config", "get", "cache"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A folder holding only `node`: the PATH of a machine with Node.js and nothing else. */
async function nodeOnlyDir(tmp: string): Promise<string> {
  const node = which("node");
  if (!node) throw new Error("the package test needs Node.js (node) on PATH");
  const dir = `${tmp}/node-only`;
  await Deno.mkdir(dir);
  await Deno.symlink(await Deno.realPath(node), `${dir}/node`);
  return dir;
}

/** What `km` sees: a fresh HOME and a PATH of Node.js and the prefix's bin, nothing else. */
interface Installed {
  /** The installed `km`, and `node <package>/bin/km.cjs`: the two ways to start km. */
  readonly km: readonly string[];
  readonly launcher: readonly string[];
  readonly env: Record<string, string>;
  readonly tmp: string;
}

async function runKm(
  installed: Installed,
  km: readonly string[],
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...pre] = km;
  const output = await within(
    120_000,
    `${km.join(" ")} ${args.join(" ")}`,
    new Deno.Command(program, {
      args: [...pre, ...args],
      env: { ...installed.env, ...extraEnv },
      clearEnv: true,
      cwd: installed.tmp,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output(),
  );
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

const DENY_SHELL = `package kilometers

import rego.v1

deny contains {"rule": "no-shell", "reason": "shell is not allowed here"} if {
	input.method == "tools/call"
	input.tool.name == "shell"
}
`;

/**
 * One session through `km monitor` started by `km`, driven like an MCP client on raw stdio; its
 * log goes to `<tmp>/logs/<name>`.
 */
async function deniedCallSession(
  installed: Installed,
  km: readonly string[],
  name: string,
): Promise<void> {
  const policy = `${installed.tmp}/policy`;
  const logs = `${installed.tmp}/logs/${name}`;
  const execLog = `${installed.tmp}/executed-${name}.jsonl`;
  await Deno.mkdir(policy, { recursive: true });
  await Deno.writeTextFile(`${policy}/policy.rego`, DENY_SHELL);
  const [program, ...pre] = km;
  const child = new Deno.Command(program, {
    args: [
      ...pre,
      ...["monitor", "--quiet", "--log-dir", logs, "--policy", policy, "--", "node", TS_SERVER],
    ],
    env: { ...installed.env, KM_TEST_EXEC_LOG: execLog },
    clearEnv: true,
    cwd: installed.tmp,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines: Record<string, unknown>[] = [];
  const answered = new Map<number, (message: Record<string, unknown>) => void>();
  const reading = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf("\n")) >= 0) {
        // Every byte km writes on stdout is a relayed JSON-RPC message: nothing else.
        const message = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        equal(
          message.jsonrpc,
          "2.0",
          `not a JSON-RPC message on stdout: ${JSON.stringify(message)}`,
        );
        lines.push(message);
        answered.get(message.id)?.(message);
      }
    }
    equal(buffered, "", "stdout ended in a partial line");
  })();
  const writer = child.stdin.getWriter();
  const send = (text: string) => writer.write(new TextEncoder().encode(text));
  const call = (id: number, line: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      answered.set(id, resolve);
      send(line);
    });
  try {
    // The policy is compiled as km starts (a fresh HOME has no cache): allow for the compiler.
    await within(90_000, "the answer to initialize", call(0, INITIALIZE));
    await send(INITIALIZED);
    const tool = (id: number, name: string, args: object) =>
      JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name, arguments: args },
      }) + "\n";
    const denied = await within(
      20_000,
      "the answer to the denied call",
      call(1, tool(1, "shell", { command: "rm -rf /" })),
    );
    const allowed = await within(
      20_000,
      "the answer to the allowed call",
      call(2, tool(2, "echo", { text: "through the package" })),
    );
    const error = denied.error as { code: number; message: string };
    equal(error?.code, -32010, `the shell call was not blocked: ${JSON.stringify(denied)}`);
    match(error.message, /shell is not allowed here/);
    deepEqual(allowed.result, { content: [{ type: "text", text: "through the package" }] });
    await writer.close();
    const status = await within(20_000, "km monitor's exit", child.status);
    await reading;
    equal(status.code, 0, `km monitor exited with ${status.code}:\n${await stderr}`);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`${(error as Error).message}\nkm's stderr:\n${await stderr}`);
  }
  const executed = (await Deno.readTextFile(execLog)).trim().split("\n").map((l) => JSON.parse(l));
  deepEqual(executed.map((e) => e.tool), ["echo"], "the denied call must never run");
  const records = await readSessionLog(logs);
  const decisions = records.filter((r) => r.type === "message" && r.tool === "shell");
  ok(decisions.some((r) => r.forwarded === false), "the log records the shell call as blocked");
}

/**
 * `km ui` started by the Node.js launcher, over the first session's logs: its page and its API
 * with the token, then a SIGTERM to the launcher, which forwards it.
 */
async function dashboard(installed: Installed): Promise<void> {
  const dataDir = `${installed.tmp}/ui-data`;
  const logs = `${installed.tmp}/logs/installed`;
  const [program, ...pre] = installed.launcher;
  const child = new Deno.Command(program, {
    args: [...pre, "ui", "--port", "0", "--data-dir", dataDir, "--log-dir", logs],
    env: installed.env,
    clearEnv: true,
    cwd: installed.tmp,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let stderr = "";
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  try {
    const base = await within(
      60_000,
      "km ui's address",
      (async () => {
        let url: string | undefined;
        while (!(url = stderr.match(/dashboard: (http:\/\/\S+)/)?.[1])) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return new URL(url).origin;
      })(),
    );
    const { token } = JSON.parse(await Deno.readTextFile(`${dataDir}/ui.json`));
    ok(typeof token === "string" && token.length > 0, "ui.json holds the token");
    const page = await fetch(`${base}/`);
    equal(page.status, 200);
    match(await page.text(), /<script/);
    const refused = await fetch(`${base}/api/sessions`);
    await refused.body?.cancel();
    equal(refused.status, 401, "the API needs the token");
    const sessions = await fetch(`${base}/api/sessions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    equal(sessions.status, 200);
    const body = await sessions.json();
    equal(body.sessions.length, 1, "the dashboard shows the session run through the package");
    child.kill("SIGTERM");
    const status = await within(20_000, "km ui's exit on SIGTERM", child.status);
    await reading;
    equal(status.code, 0, `km ui exited with ${status.code} on SIGTERM:\n${stderr}`);
    equal(await stdout, "", "km ui writes nothing on stdout");
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw new Error(`${(error as Error).message}\nkm ui's stderr:\n${stderr}`);
  }
}

Deno.test({
  name: "the npm package installs and runs km with only Node.js on PATH",
  // npm's own timers and sockets outlive its commands.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const tmp = await Deno.makeTempDir({ prefix: "km-package-" });
    try {
      const home = `${tmp}/home`;
      const prefix = `${tmp}/prefix`;
      await Deno.mkdir(home);
      const packed = await pack({ outDir: `${tmp}/dist`, log: () => {} });
      ok(packed.size < 20 * 1024 * 1024, `the package is ${packed.size} bytes`);
      await npmInstallGlobal(packed.path, {
        prefix,
        env: {
          HOME: home,
          PATH: Deno.env.get("PATH") ?? "",
          npm_config_cache: await npmCache(),
          npm_config_update_notifier: "false",
          npm_config_prefer_offline: "true",
        },
      });
      const nodeDir = await nodeOnlyDir(tmp);
      const km = `${prefixBin(prefix)}/km`;
      const installed: Installed = {
        km: [km],
        launcher: [`${nodeDir}/node`, `${prefix}/lib/node_modules/kilometers/bin/km.cjs`],
        env: { HOME: home, PATH: `${nodeDir}:${prefixBin(prefix)}` },
        tmp,
      };
      // The install script pointed `km` at Deno directly (Linux and macOS).
      match(await Deno.realPath(km), /\/kilometers\/bin\/km-direct$/);
      for (const absent of ["deno", "go", "opa"]) {
        const found = await runKm(installed, installed.km, [
          ...["monitor", "--quiet", "--no-policy", "--log-dir", `${tmp}/absent-logs`],
          ...["--", absent],
        ]);
        equal(found.code, 127, `${absent} must not be on km's PATH: ${found.stderr}`);
      }

      await t.step("km --version prints the version of the source", async () => {
        for (const command of [installed.km, installed.launcher]) {
          const { code, stdout, stderr } = await runKm(installed, command, ["--version"]);
          equal(code, 0, stderr);
          equal(stdout, `km ${VERSION} (deno ${DENO_PIN}, built for deno ${DENO_PIN})\n`);
          equal(stderr, "");
        }
      });

      await t.step("a policy directory denies a call that never reaches the server", async () => {
        await deniedCallSession(installed, installed.km, "installed");
        await deniedCallSession(installed, installed.launcher, "launcher");
      });

      await t.step("km monitor exits with the server's exit code", async () => {
        for (const command of [installed.km, installed.launcher]) {
          const { code } = await runKm(installed, command, [
            ...["monitor", "--quiet", "--log-dir", `${tmp}/exit-logs`],
            ...["--", "node", "-e", "process.exit(3)"],
          ]);
          equal(code, 3, command.join(" "));
        }
      });

      await t.step("km policy test on an example policy", async () => {
        const { code, stdout, stderr } = await runKm(installed, installed.km, [
          "policy",
          "test",
          `${ROOT}policies/examples/block-tool`,
        ]);
        equal(code, 0, `${stdout}\n${stderr}`);
        match(stdout, /^PASS: /m);
      });

      await t.step("km ui serves its page and API, and stops on SIGTERM", async () => {
        await dashboard(installed);
      });
    } finally {
      // Away from a terminal the launcher runs Deno in a process group of its own: a launcher
      // killed by a failing step leaves it behind. Every process of this test names `tmp`.
      for (const pid of await processesMatching(tmp)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* already gone */ }
      }
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
