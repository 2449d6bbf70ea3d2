// The install script of the npm package `kilometers` (package.json "postinstall"). Starting
// Node.js only to start Deno costs every `km` about 70 ms, and an MCP client starts one km per
// server. So on Linux and macOS this writes bin/km-direct, a shell script that execs the pinned
// Deno on km's bundle with the launcher's own command line (km.cjs), and points npm's `km` link
// at it, as the `deno` package does for its own command. km is then Deno itself: signals and the
// exit code need no forwarding. Anything unexpected leaves npm's link to km.cjs, which works
// everywhere (and on Windows, and when npm runs no install scripts). It never fails the install.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const PACKAGE = path.join(__dirname, "..");
const LAUNCHER = path.join(__dirname, "km.cjs");
const DIRECT = path.join(__dirname, "km-direct");

/** `value` quoted for sh. */
function shellQuote(value) {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** The folder holding npm's `km` link to km.cjs, or undefined. */
function binDir() {
  const candidates = [];
  if (process.env.npm_config_global === "true" && process.env.npm_config_prefix) {
    candidates.push(path.join(process.env.npm_config_prefix, "bin"));
  }
  // A local install: node_modules/kilometers -> node_modules/.bin.
  if (path.basename(path.dirname(PACKAGE)) === "node_modules") {
    candidates.push(path.join(path.dirname(PACKAGE), ".bin"));
  }
  return candidates.find((dir) => {
    try {
      const link = path.join(dir, "km");
      return fs.realpathSync(link) === fs.realpathSync(LAUNCHER);
    } catch {
      return false;
    }
  });
}

function install() {
  const { denoArgs, denoExecutable, DENO_ENV } = require(LAUNCHER);
  const deno = denoExecutable();
  const exports = Object.entries(DENO_ENV).map(([name, value]) =>
    `export ${name}=${shellQuote(value)}`
  );
  const command = [deno, ...denoArgs([])].map(shellQuote).join(" ");
  const script = [
    "#!/bin/sh",
    "# km, written by kilometers' install script (bin/install.cjs): Deno on km's bundle.",
    ...exports,
    `exec ${command} "$@"`,
    "",
  ].join("\n");
  fs.writeFileSync(DIRECT, script, { mode: 0o755 });
  const dir = binDir();
  if (dir === undefined) return;
  const link = path.join(dir, "km");
  const temporary = `${link}.kilometers-${process.pid}`;
  fs.symlinkSync(path.relative(dir, DIRECT), temporary);
  fs.renameSync(temporary, link);
}

if (process.platform !== "win32") {
  try {
    install();
  } catch (error) {
    if (process.env.KM_INSTALL_DEBUG === "1") {
      process.stderr.write(`kilometers: keeping the Node.js launcher: ${error.message}\n`);
    }
  }
}
