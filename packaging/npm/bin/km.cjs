#!/usr/bin/env node
// The `km` command of the npm package `kilometers`: km is a Deno program, and this launcher lets
// it run where only Node.js is installed. It runs km's one bundled file (lib/km.mjs) on the Deno
// the package depends on (the `deno` npm package, pinned), with km's flags, passing argv through,
// stdio inherited, signals forwarded and the exit code returned. It writes nothing to stdout:
// that is the MCP client's channel. Plain CommonJS with no dependencies, so Node starts it fast.
"use strict";

const childProcess = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** The Deno release km is built and tested with (src/version.ts, DENO_PIN). */
const DENO_VERSION = "2.9.6";

/** How Deno must start km (src/runtime.ts, KM_DENO_FLAGS; scripts/pack.ts checks they agree). */
const KM_DENO_FLAGS = [
  "--allow-all",
  "--v8-flags=--max-semi-space-size=2,--heap-growing-percent=50,--no-concurrent-recompilation",
];

/**
 * What else `deno run` needs here: the bundle imports nothing, so no configuration file or lock
 * file found in the user's working directory may change how it runs, and nothing is fetched.
 */
const RUN_FLAGS = ["--no-config", "--no-lock", "--no-remote", "--no-npm"];

const BUNDLE = path.join(__dirname, "..", "lib", "km.mjs");

/** Deno would otherwise look for a newer release of itself on the network. */
const DENO_ENV = { DENO_NO_UPDATE_CHECK: "1" };

/** The signals km acts on (src/monitor/signals.ts). */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"];

function fail(message) {
  process.stderr.write(`km: ${message}\n`);
  process.exit(1);
}

/** The path of the pinned Deno's executable, from the `deno` npm package; throws why not. */
function denoExecutable() {
  let dir;
  let version;
  try {
    const manifest = require.resolve("deno/package.json");
    dir = path.dirname(manifest);
    version = JSON.parse(fs.readFileSync(manifest, "utf8")).version;
  } catch (error) {
    throw new Error(
      `cannot find the "deno" npm package (Deno ${DENO_VERSION}), a dependency of kilometers ` +
        `(${error.message}); reinstall it: npm install -g kilometers`,
    );
  }
  if (version !== DENO_VERSION) {
    throw new Error(
      `the "deno" npm package at ${dir} is ${version}; km needs Deno ${DENO_VERSION}`,
    );
  }
  const exe = path.join(dir, process.platform === "win32" ? "deno.exe" : "deno");
  if (fs.existsSync(exe)) return exe;
  // The package's install script did not run (npm --ignore-scripts): its own lookup finds the
  // executable in its platform package (@deno/<os>-<arch>).
  try {
    return require(path.join(dir, "install_api.cjs")).runInstall();
  } catch (error) {
    throw new Error(`cannot find Deno's executable for this platform: ${error.message}`);
  }
}

/** Deno's arguments for km with `args`. */
function denoArgs(args) {
  return ["run", ...RUN_FLAGS, ...KM_DENO_FLAGS, BUNDLE, ...args];
}

function main() {
  if (!fs.existsSync(BUNDLE)) fail(`km's bundle is missing: ${BUNDLE}; reinstall kilometers`);
  let deno;
  try {
    deno = denoExecutable();
  } catch (error) {
    fail(error.message);
  }
  // At a terminal, Ctrl-C (and a hang-up) reaches the whole foreground process group: Deno gets
  // it from the terminal, so forwarding it again would be a second signal, which makes km kill its
  // server at once. And Deno must stay in the terminal's group to read it. Elsewhere (an MCP
  // client's pipes), Deno gets a group of its own and exactly the signals sent to this launcher.
  const atTerminal = require("node:tty").isatty(0);
  const ownGroup = !atTerminal && process.platform !== "win32";
  const child = childProcess.spawn(deno, denoArgs(process.argv.slice(2)), {
    stdio: "inherit",
    detached: ownGroup,
    env: { ...process.env, ...DENO_ENV },
  });
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      if (atTerminal && signal !== "SIGTERM") return;
      try {
        child.kill(signal);
      } catch {
        // Already gone: its exit ends this launcher.
      }
    });
  }
  child.on("error", (error) => fail(`cannot start Deno (${deno}): ${error.message}`));
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? 128 + (os.constants.signals[signal] ?? 0);
    // Exit now: nothing of the launcher is left to do, and stdio belongs to the child.
    process.exit();
  });
}

// install.cjs reads the same command line to write the direct launcher.
if (require.main === module) main();
else module.exports = { denoArgs, denoExecutable, DENO_ENV };
