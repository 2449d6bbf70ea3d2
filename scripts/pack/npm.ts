/**
 * The npm commands the packaging runs: `npm pack` on the staging folder, and `npm install -g` of
 * the tarball (`deno task install`, the package's end-to-end test, the start-up benchmark).
 */

const NPM = Deno.build.os === "windows" ? "npm.cmd" : "npm";

/** What `npm pack --json` reports of one package. */
export interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

/** Packs the package in `dir` into `destination` and reports it. */
export async function npmPack(dir: string, destination: string): Promise<Packed> {
  const out = await npm(["pack", "--json", "--pack-destination", destination], { cwd: dir });
  const [packed] = JSON.parse(out) as Packed[];
  if (!packed?.filename) throw new Error(`npm pack in ${dir} reported no package: ${out}`);
  return packed;
}

/** Options of a global install: another prefix, and the environment npm runs with. */
export interface InstallOptions {
  readonly prefix?: string;
  readonly env?: Record<string, string>;
}

/** `npm install -g <tarball>`: km's `km` command in the prefix's bin folder. */
export async function npmInstallGlobal(tarball: string, options: InstallOptions = {}) {
  const args = ["install", "-g", "--no-audit", "--no-fund", "--loglevel=error"];
  if (options.prefix) args.push("--prefix", options.prefix);
  await npm([...args, tarball], { env: options.env });
}

/** The bin folder of a global npm prefix. */
export function prefixBin(prefix: string): string {
  return Deno.build.os === "windows" ? prefix : `${prefix}/bin`;
}

async function npm(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> },
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(NPM, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.env !== undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (code !== 0) {
    throw new Error(`npm ${args.join(" ")} failed with exit code ${code}:\n${text.decode(stderr)}`);
  }
  return text.decode(stdout);
}
