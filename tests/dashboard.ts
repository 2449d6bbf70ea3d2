/** Test helpers for the dashboard: start `km ui`, find Chromium. Not part of km. */
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { kmCommand } from "./helpers.ts";

export interface RunningUi {
  /** The address that signs a browser in (`/#token=…`), from ui.json: km ui never prints it. */
  readonly url: string;
  readonly base: string;
  readonly token: string;
  readonly pid: number;
  /** Everything km ui wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `km ui` with `args` (which must name a `--data-dir`) and waits for the address it
 * prints; the token is read from the discovery file, as `km ui --open` does.
 */
export async function startUi(args: readonly string[]): Promise<RunningUi> {
  const dataDir = args[args.indexOf("--data-dir") + 1];
  if (!args.includes("--data-dir") || !dataDir) throw new Error("startUi needs --data-dir");
  const [exec, ...rest] = kmCommand("ui", ...args);
  const child = new Deno.Command(exec, {
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const drained = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stdoutDone = (async () => {
    let out = "";
    while (true) {
      const { value, done } = await stdout.read();
      if (done) return out;
      out += value;
    }
  })();
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (!(url = text.match(/dashboard: (http:\/\/\S+)/)?.[1])) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`km ui printed no address within 20 s:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const parsed = new URL(url);
  let found: { port?: number; token?: string; signIn?: string } = {};
  while (found.port !== Number(parsed.port) || !found.token) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`km ui wrote no ui.json in ${dataDir}:\n${text}`);
    }
    try {
      found = JSON.parse(await Deno.readTextFile(`${dataDir}/ui.json`));
    } catch { /* not written yet */ }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const token = found.token;
  return {
    url: found.signIn ?? `${parsed.origin}/#token=${token}`,
    base: parsed.origin,
    token,
    pid: child.pid,
    stderr: () => text,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await child.status;
      await drained;
      const out = await stdoutDone;
      if (out !== "") throw new Error(`km ui wrote to stdout: ${out}`);
      if (text.includes(token)) throw new Error(`km ui printed its access token:\n${text}`);
      if (status.code !== 0) throw new Error(`km ui exited with ${status.code}:\n${text}`);
    },
  };
}

/** Chromium from CHROMIUM_PATH or the Debian package; fails loudly when missing. */
export function chromiumPath(): string {
  const candidates = [
    Deno.env.get("CHROMIUM_PATH"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  throw new Error(
    "The dashboard tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH)",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
