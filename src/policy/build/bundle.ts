/**
 * Reads the bundle `opa build -t wasm` writes: a gzipped tar holding `/policy.wasm`,
 * `/data.json` (every data file of the build, merged) and `/.manifest`. No file system here;
 * the caller reads the bytes.
 */
import { KmError } from "../../errors.ts";
import { readTar } from "./tar.ts";

/** What km needs from a bundle to load the policy. */
export interface PolicyBundle {
  /** The compiled module (the manifest's first `wasm` entry, else `/policy.wasm`). */
  wasm: Uint8Array<ArrayBuffer>;
  /** The base `data` document (`{}` when the bundle has none). */
  data: unknown;
  /** The entrypoints the manifest says the module was built for. */
  entrypoints: string[];
}

interface Manifest {
  wasm?: { entrypoint?: string; module?: string }[];
}

/**
 * The policy in `bytes` (a `.tar.gz` bundle, or an uncompressed tar). Throws KmError
 * POLICY_INVALID, naming `name`, when it is not such a bundle or lacks a module.
 */
export async function readBundle(bytes: Uint8Array, name = "bundle.tar.gz"): Promise<PolicyBundle> {
  const fail = (why: string) =>
    new KmError(
      "POLICY_INVALID",
      `Cannot load policy bundle "${name}": ${why}`,
      "expected the output of: opa build -t wasm -e kilometers/decision",
    );
  let files: Map<string, Uint8Array>;
  try {
    const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
    // Go's archive/tar writes absolute member names ("/policy.wasm"); accept both spellings.
    files = new Map(
      readTar(tar).filter((e) => e.kind === "file").map((
        e,
      ) => [`/${e.name.replace(/^\.?\/+/, "")}`, e.bytes]),
    );
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  const manifest = parseJson(files.get("/.manifest"), "/.manifest", fail) as Manifest | undefined;
  const modulePath = manifest?.wasm?.[0]?.module ?? "/policy.wasm";
  const wasm = files.get(`/${modulePath.replace(/^\/+/, "")}`);
  if (!wasm) throw fail(`it has no ${modulePath} (was it built with -t wasm?)`);
  return {
    wasm: wasm.slice(),
    data: parseJson(files.get("/data.json"), "/data.json", fail) ?? {},
    entrypoints: (manifest?.wasm ?? []).flatMap((w) => (w.entrypoint ? [w.entrypoint] : [])),
  };
}

/** Decompresses gzip with the platform's streams (no npm, no Node compatibility layer). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function parseJson(
  bytes: Uint8Array | undefined,
  path: string,
  fail: (why: string) => KmError,
): unknown {
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw fail(`${path} is not JSON: ${error instanceof Error ? error.message : error}`);
  }
}
