/**
 * Finding the files a `file` source follows and telling them apart.
 *
 * A file is known by its fingerprint: a hash of its first line (of its first 1 KiB when that
 * line is longer), read through gzip for a `.gz` file. The fingerprint stays with the content,
 * not with the name or the inode: a file renamed by rotation, copied by copytruncate or
 * compressed after rotation still has it, so reading goes on where it stopped; a file truncated
 * and written anew gets a new one. Device and inode only pick among copies of one content.
 *
 * @module
 */
import { globSync } from "node:fs";

/** Bytes of the start of a file that make its fingerprint at most. */
export const FINGERPRINT_BYTES = 1024;

/** One file matched by the source's paths. */
export interface FoundFile {
  /** Path as matched. */
  path: string;
  /** Device. */
  dev: number;
  /** Inode. */
  ino: number;
  /** Size on disk in bytes (compressed size for a `.gz` file). */
  size: number;
  /** Last modification, ms since epoch. */
  mtimeMs: number;
  /** True for a gzip file (name ending in `.gz`). */
  compressed: boolean;
  /** The content's fingerprint. */
  fingerprint: string;
}

/** Hex SHA-256 (first 16 bytes) of `bytes`. */
async function hash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const byte of digest.subarray(0, 16)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** The first line (with its newline) of `bytes`, or the first 1 KiB; undefined when incomplete. */
function fingerprintBytes(
  bytes: Uint8Array<ArrayBuffer>,
  complete: boolean,
): Uint8Array<ArrayBuffer> | undefined {
  const newline = bytes.indexOf(10);
  if (newline >= 0 && newline < FINGERPRINT_BYTES) return bytes.subarray(0, newline + 1);
  if (bytes.length >= FINGERPRINT_BYTES) return bytes.subarray(0, FINGERPRINT_BYTES);
  return complete && bytes.length > 0 ? bytes : undefined;
}

/** The first bytes of a plain file (up to 1 KiB). */
async function headOfPlain(path: string): Promise<Uint8Array<ArrayBuffer>> {
  using file = await Deno.open(path);
  const buffer = new Uint8Array(FINGERPRINT_BYTES);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/** The first bytes of a gzip file's content (up to 1 KiB). */
async function headOfGzip(path: string): Promise<Uint8Array<ArrayBuffer>> {
  using file = await Deno.open(path);
  const reader = file.readable.pipeThrough(new DecompressionStream("gzip")).getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < FINGERPRINT_BYTES) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const head = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    head.set(part, at);
    at += part.length;
  }
  return head.subarray(0, FINGERPRINT_BYTES);
}

/**
 * The fingerprint of a file, or undefined while it has no complete first line (an empty or
 * just created file) or cannot be read (a gzip file still being written).
 */
export async function fingerprintOf(
  path: string,
  compressed: boolean,
): Promise<string | undefined> {
  try {
    const head = compressed ? await headOfGzip(path) : await headOfPlain(path);
    const bytes = fingerprintBytes(head, compressed);
    return bytes === undefined ? undefined : await hash(bytes);
  } catch {
    return undefined;
  }
}

/** Fingerprints of gzip files by device, inode and size: a compressed file is read once. */
export type FingerprintCache = Map<string, string>;

/**
 * Every regular file the glob patterns match now, with its fingerprint; files without one yet
 * are left out until they have one. A plain file's head is read at every call (1 KiB): a file
 * truncated and written again must not keep its old fingerprint.
 */
export async function findFiles(
  patterns: readonly string[],
  gzipCache: FingerprintCache,
): Promise<FoundFile[]> {
  const paths = new Set<string>();
  for (const pattern of patterns) for (const path of globSync(pattern)) paths.add(path);
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  for (const path of [...paths].sort()) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      continue; // removed between the glob and now
    }
    if (!info.isFile || info.dev === null || info.ino === null) continue;
    const compressed = path.endsWith(".gz");
    let fingerprint: string | undefined;
    if (compressed) {
      const key = `${info.dev}:${info.ino}:${info.size}`;
      seen.add(key);
      fingerprint = gzipCache.get(key);
      if (fingerprint === undefined) {
        fingerprint = await fingerprintOf(path, true);
        if (fingerprint !== undefined) gzipCache.set(key, fingerprint);
      }
    } else {
      fingerprint = await fingerprintOf(path, false);
    }
    if (fingerprint === undefined) continue;
    found.push({
      path,
      dev: info.dev,
      ino: info.ino,
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
      compressed,
      fingerprint,
    });
  }
  for (const key of gzipCache.keys()) if (!seen.has(key)) gzipCache.delete(key);
  return found;
}
