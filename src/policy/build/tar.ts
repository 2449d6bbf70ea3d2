/**
 * A reader for the tar archives inside OPA bundles (POSIX ustar, as Go's archive/tar writes
 * them, including PAX and GNU long names). Pure: bytes in, entries out; no file system.
 */

/** One member of a tar archive. */
export interface TarEntry {
  /** The member's path as stored, e.g. `/policy.wasm`. */
  name: string;
  kind: "file" | "directory" | "other";
  bytes: Uint8Array;
}

const BLOCK = 512;
const dec = new TextDecoder();

/**
 * The entries of a tar archive, in order. Throws on a truncated archive or a header whose
 * checksum does not match, since a bundle that is silently misread would be a different policy.
 */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries; // end-of-archive marker
    verifyChecksum(header, offset);
    const size = readSize(header.subarray(124, 136), offset);
    const type = String.fromCharCode(header[156] || 0x30);
    const start = offset + BLOCK;
    if (start + size > archive.length) {
      throw new Error(`tar member at byte ${offset} needs ${size} bytes, the archive ends first`);
    }
    const body = archive.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "x") longName = paxPath(body) ?? longName;
    else if (type === "L") longName = cString(body);
    else if (type !== "g") {
      const name = longName ?? ustarName(header);
      longName = undefined;
      const kind = type === "0" || type === "7" ? "file" : type === "5" ? "directory" : "other";
      entries.push({ name, kind, bytes: body });
    }
  }
  if (offset !== archive.length) throw new Error(`tar archive is truncated at byte ${offset}`);
  return entries;
}

function ustarName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = dec.decode(header.subarray(257, 262)) === "ustar";
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** The `path` record of a PAX extended header ("<len> path=<value>\n" records). */
function paxPath(body: Uint8Array): string | undefined {
  let path: string | undefined;
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(dec.decode(body.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0) throw new Error("tar PAX header is malformed");
    const record = dec.decode(body.subarray(space + 1, at + length - 1));
    if (record.startsWith("path=")) path = record.slice(5);
    at += length;
  }
  return path;
}

function readSize(field: Uint8Array, at: number): number {
  // GNU base-256 for sizes of 8 GiB and more: never a policy, but reject it clearly.
  if (field[0] & 0x80) throw new Error(`tar member at byte ${at} is too large`);
  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`tar header at byte ${at} has a bad size "${text}"`);
  return text === "" ? 0 : parseInt(text, 8);
}

function verifyChecksum(header: Uint8Array, at: number): void {
  const stored = parseInt(cString(header.subarray(148, 156)).trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  if (stored !== sum) throw new Error(`tar header at byte ${at} has a bad checksum`);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return dec.decode(end < 0 ? bytes : bytes.subarray(0, end));
}
