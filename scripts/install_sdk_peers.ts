// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * Installs the MCP test servers built on the official Python and Go SDKs (tests/sdk_servers.ts
 * runs them; the TypeScript one needs only `npm ci` in tests/peers):
 *
 * - a virtualenv per Python SDK major, `.tools/py-mcp2` and `.tools/py-mcp1`, each from its fully
 *   pinned `tests/peers/python/requirements-v*.txt`;
 * - `.tools/bin/km-test-go-server`, built from `tests/peers/go` (go.mod/go.sum pin the SDK);
 * - `.tools/bin/km-test-go-client`, the Go SDK test client, built from `tests/peers/go-client`.
 *
 * Idempotent and quick when nothing changed: each install leaves a stamp (a hash of its inputs)
 * and is skipped while the stamp matches. `KM_PYTHON` names the interpreter the virtualenvs are
 * made from (default `python3`).
 *
 *   deno run -A scripts/install_sdk_peers.ts
 */
import { KM_ROOT, toolsBinDir } from "../src/policy/build/find_opa.ts";

const PYTHON_VENVS = [
  { dir: "py-mcp2", requirements: "requirements-v2.txt" },
  { dir: "py-mcp1", requirements: "requirements-v1.txt" },
] as const;

async function sha256(...texts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(texts.join("\0")),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readOr(path: string, fallback: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return fallback;
  }
}

/** Whether anything is at `path` (setup.ts asks too). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the interpreter starts: a venv outlives an upgrade of the Python it was made from. */
async function runs(python: string): Promise<boolean> {
  try {
    return (await new Deno.Command(python, { args: ["-c", ""], stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/** Runs a command with its output on our stderr (stdout too: it is progress, not data). */
async function run(program: string, args: string[], what: string): Promise<void> {
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(program, { args, stdout: "inherit", stderr: "inherit" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${what}: "${program}" was not found on PATH`);
    }
    throw error;
  }
  if (!status.success) throw new Error(`${what} failed with exit code ${status.code}`);
}

/**
 * `python -m venv --clear dir`. Debian and Ubuntu ship Python without ensurepip, the one failure
 * we can repair: then the package the message names (e.g. python3.11-venv) is installed from apt
 * and the venv is made again. Any other failure is reported as it is.
 */
async function makeVenv(python: string, dir: string): Promise<void> {
  const attempt = async () => {
    try {
      return await new Deno.Command(python, {
        args: ["-m", "venv", "--clear", dir],
        stderr: "piped",
      }).output();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Error(`"${python}" was not found: install Python 3 (or set KM_PYTHON)`);
    }
  };
  let result = await attempt();
  if (result.success) return;
  const message = new TextDecoder().decode(result.stderr) +
    new TextDecoder().decode(result.stdout);
  if (!/ensurepip is not available|python3(\.\d+)?-venv/.test(message)) {
    throw new Error(`${python} -m venv ${dir} failed:\n${message}`);
  }
  const pkg = /apt(?:-get)? install (python3(?:\.\d+)?-venv)/.exec(message)?.[1] ?? "python3-venv";
  console.error(`install_sdk_peers: ${python} lacks ensurepip; installing ${pkg} from apt`);
  await aptInstall(pkg);
  result = await attempt();
  if (!result.success) {
    throw new Error(
      `${python} -m venv ${dir} failed after installing ${pkg}:\n` +
        new TextDecoder().decode(result.stderr),
    );
  }
}

async function aptInstall(pkg: string): Promise<void> {
  const root = Deno.uid() === 0;
  const apt = (...args: string[]) =>
    new Deno.Command(root ? "apt-get" : "sudo", {
      args: root ? args : ["apt-get", ...args],
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "inherit",
    }).output();
  // A fresh machine may have no package lists yet: update only when the first try fails.
  if ((await apt("install", "-y", "-qq", "--no-upgrade", pkg)).success) return;
  await apt("update", "-qq");
  const { code } = await apt("install", "-y", "-qq", "--no-upgrade", pkg);
  if (code !== 0) throw new Error(`apt-get install ${pkg} failed with exit code ${code}`);
}

async function installPythonVenvs(root: string, python: string): Promise<void> {
  for (const { dir, requirements } of PYTHON_VENVS) {
    const venv = `${root}/.tools/${dir}`;
    const reqPath = `${root}/tests/peers/python/${requirements}`;
    const stampPath = `${venv}/.km-stamp`;
    const stamp = await sha256(python, await Deno.readTextFile(reqPath));
    if (await runs(`${venv}/bin/python`) && await readOr(stampPath, "") === stamp) continue;
    console.error(`install_sdk_peers: creating ${venv} (pip install -r ${requirements})...`);
    await makeVenv(python, venv);
    await run(
      `${venv}/bin/python`,
      ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", reqPath],
      `pip install -r ${requirements}`,
    );
    await Deno.writeTextFile(stampPath, stamp);
  }
}

/**
 * Builds one Go test peer's module, `tests/peers/<dir>`, into `.tools/bin/<binary>` (go.mod/go.sum
 * pin the SDK), skipped while the stamp of its sources matches.
 */
async function installGoPeer(root: string, dir: string, binary: string): Promise<void> {
  const src = `${root}/tests/peers/${dir}`;
  const bin = `${toolsBinDir(root)}/${binary}`;
  const stampPath = `${bin}.stamp`;
  const inputs: string[] = [];
  for (const name of [...Deno.readDirSync(src)].map((e) => e.name).sort()) {
    if (name.endsWith(".go") || name === "go.mod" || name === "go.sum") {
      inputs.push(name, await Deno.readTextFile(`${src}/${name}`));
    }
  }
  const stamp = await sha256(...inputs);
  if (await exists(bin) && await readOr(stampPath, "") === stamp) return;
  console.error(`install_sdk_peers: building ${bin} (go build in tests/peers/${dir})...`);
  await Deno.mkdir(toolsBinDir(root), { recursive: true });
  // -C: build the test peer's own module; -buildvcs=false: its binary needs no git stamp.
  await run("go", ["build", "-C", src, "-buildvcs=false", "-o", bin, "."], `go build (${dir})`);
  await Deno.writeTextFile(stampPath, stamp);
}

/** The Go test server, `.tools/bin/km-test-go-server`, and client, `.tools/bin/km-test-go-client`. */
async function installGoPeers(root: string): Promise<void> {
  // One after the other: both modules share the module cache, and a build is seconds at most.
  await installGoPeer(root, "go", "km-test-go-server");
  await installGoPeer(root, "go-client", "km-test-go-client");
}

/** Installs (or confirms) the Python virtualenvs and the Go test server and client. */
export async function installSdkPeers(root: string = KM_ROOT): Promise<void> {
  const started = performance.now();
  root = root.replace(/[\\/]+$/, "");
  // Independent, so side by side; the venvs one after the other (their apt fallback must not race).
  await Promise.all([
    installPythonVenvs(root, Deno.env.get("KM_PYTHON") ?? "python3"),
    installGoPeers(root),
  ]);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`install_sdk_peers: Python and Go SDK test peers ready (${seconds}s)`);
}

if (import.meta.main) {
  try {
    await installSdkPeers();
  } catch (error) {
    console.error(`install_sdk_peers: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
