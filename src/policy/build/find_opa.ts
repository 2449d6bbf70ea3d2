/**
 * Where km finds the `opa` compiler. The lookup itself is pure (environment and file system are
 * passed in) so that every case is testable; `systemOpaLookup` is the edge that reads Deno's.
 */

/** What `findOpa` needs from the system. */
export interface OpaLookup {
  /** An environment variable (only `PATH` is read). */
  env(name: string): string | undefined;
  /** Whether `path` names an existing regular file. */
  isFile(path: string): boolean;
  /** `Deno.build.os`: decides the PATH separator and the `.exe` suffix. */
  os: string;
}

/** The repository (or installed package) root: `src/policy/build/` is three levels below it. */
export const KM_ROOT: string = rootOf(new URL("../../../", import.meta.url));

/** `<root>/.tools/bin`, where `scripts/install_opa.ts` puts the pinned `opa`. */
export function toolsBinDir(root: string = KM_ROOT): string {
  return `${root.replace(/[\\/]+$/, "")}/.tools/bin`;
}

/** `opa`, or `opa.exe` on Windows. */
export function opaExecutableName(os: string): string {
  return os === "windows" ? "opa.exe" : "opa";
}

/**
 * The path of the `opa` to use, or undefined when there is none. `<root>/.tools/bin` wins over
 * PATH: it holds the pinned version (OPA_VERSION), whereas an `opa` on PATH may be any release,
 * with a different WASM ABI or set of built-ins.
 */
export function findOpa(lookup: OpaLookup, root: string = KM_ROOT): string | undefined {
  const name = opaExecutableName(lookup.os);
  const pinned = `${toolsBinDir(root)}/${name}`;
  if (lookup.isFile(pinned)) return pinned;
  const separator = lookup.os === "windows" ? ";" : ":";
  for (const dir of (lookup.env("PATH") ?? "").split(separator)) {
    // An empty PATH entry means the current directory, which km never searches for a compiler.
    if (dir === "") continue;
    const candidate = `${dir.replace(/[\\/]+$/, "")}/${name}`;
    if (lookup.isFile(candidate)) return candidate;
  }
  return undefined;
}

/** The lookup backed by the real environment and file system. */
export function systemOpaLookup(): OpaLookup {
  return {
    env: (name) => Deno.env.get(name),
    isFile: (path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    },
    os: Deno.build.os,
  };
}

function rootOf(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  // file:///C:/km/ has the pathname /C:/km/.
  return /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path;
}
