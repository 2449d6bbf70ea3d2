/**
 * What a file named by --policy is: a .rego file, a bundle or a .wasm module, told by its name
 * and first bytes, so that any other file is refused with what was expected rather than read as a
 * bundle ("bad checksum"). Pure: the caller reads the bytes.
 */

/** What --policy accepts, for messages. */
export const POLICY_KINDS =
  "a directory of .rego files (and .json/.jsonc data), a .rego file, a bundle.tar.gz " +
  "(km policy build, opa build -t wasm) or a .wasm module";

/** The kinds of file --policy takes. */
export type PolicyFileKind = "rego" | "bundle" | "wasm";

/**
 * What the file at `path`, starting with `head` (its first bytes), is as a policy: a `.rego`
 * file by its name; a `.wasm` by its name or WebAssembly's magic number; a bundle by gzip's
 * magic number, or by its name (`.tar.gz`, `.tgz`, `.tar`: the bundle reader then says what is
 * wrong with it). Undefined for anything else. Pure.
 */
export function policyFileKind(path: string, head: Uint8Array): PolicyFileKind | undefined {
  const name = path.toLowerCase();
  if (name.endsWith(".rego")) return "rego";
  if (name.endsWith(".wasm") || startsWith(head, [0x00, 0x61, 0x73, 0x6d])) return "wasm";
  if (startsWith(head, [0x1f, 0x8b]) || /\.(tar|tar\.gz|tgz)$/.test(name)) return "bundle";
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
