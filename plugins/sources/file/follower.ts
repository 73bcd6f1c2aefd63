/**
 * Following files: each poll finds the files the patterns match, reads the lines added since
 * the last one, and hands them to `write` in writes that each carry the position after them
 * (see `checkpoint.ts`). The position moves in memory only once a write is acknowledged.
 *
 * Rotation needs no special case, because files are known by their content's fingerprint:
 * - by rename: `access.log` becomes `access.log.1` (same fingerprint, read on to its end) and a
 *   new `access.log` starts (new fingerprint, read from its start);
 * - by copytruncate: the copy has the fingerprint and is read on from the position; the
 *   truncated original gets a new fingerprint with its first new line;
 * - compressed afterwards: `access.log.1.gz` has the same fingerprint, read through gzip.
 * Among several copies of one content the plain one, then the one read last, is read.
 *
 * @module
 */
import type { LogFormat } from "../../../lib/sdk/mod.ts";
import { lineMessage } from "../log_lines/format_options.ts";
import { findFiles, type FingerprintCache, type FoundFile } from "./discover.ts";
import { type FileLine, readGzipLines, readPlainLines, type ReadResult } from "./read_lines.ts";
import {
  CHECKPOINT_HEADER,
  encodeCheckpoint,
  FINGERPRINT_HEADER,
  OFFSET_HEADER,
  PATH_HEADER,
  SOURCE_HEADER,
  sourceTag,
  type TrackedFile,
} from "./checkpoint.ts";

/** A line bound for the topic. */
export interface LineOut {
  /** JSON record. */
  value: string;
  /** Headers: source, path, fingerprint, offset; the checkpoint on the last of a write. */
  headers: Record<string, string>;
}

/** A line bound for the dead-letter topic. */
export interface DeadLine {
  /** The line's bytes, untouched. */
  value: Uint8Array;
  /** Headers: source, path, fingerprint, offset and the reason. */
  headers: Record<string, string>;
}

/** One write: dead letters first, then the lines, whose last one carries the checkpoint. */
export interface FileWrite {
  /** Parsed lines. */
  lines: LineOut[];
  /** Rejected lines. */
  deadLetters: DeadLine[];
  /** The position after this write, for a write without lines (kept in memory only). */
  checkpoint: string;
}

/** What a follower needs. */
export interface FollowerSettings {
  /** Glob patterns of the files. */
  patterns: readonly string[];
  /** Start files seen at the very first start at their end rather than their beginning. */
  startAtEnd: boolean;
  /** Names this follower's messages and position in the topic. */
  id: string;
  /** The line parser. */
  format: LogFormat;
  /** Most bytes of messages (values and headers) in one write; also the most read at once. */
  maxWriteBytes: number;
  /** Most lines in one write. */
  maxWriteLines: number;
  /** Operator log. */
  log: (line: string) => void;
  /** The clock (epoch ms). */
  now?: () => number;
}

/** Most files whose position is kept; the ones no longer found go first. */
const MAX_TRACKED = 100;
/** Writes per file in one poll, so a long backlog of one file does not starve the others. */
const WRITES_PER_FILE = 8;

/** A running follower. */
export interface Follower {
  /** Reads what is new and writes it; resolves to the number of lines handled. */
  poll(write: (write: FileWrite) => Promise<void>): Promise<number>;
  /** The current position, by fingerprint. */
  readonly tracked: ReadonlyMap<string, TrackedFile>;
}

/** The copy of one content to read: a plain one before a compressed one, the last read first. */
function chooseCopy(copies: FoundFile[], tracked: TrackedFile | undefined): FoundFile {
  const rank = (file: FoundFile) =>
    (file.compressed ? 0 : 4) +
    (tracked !== undefined && file.dev === tracked.dev && file.ino === tracked.ino ? 2 : 0);
  return copies.reduce((best, file) =>
    rank(file) > rank(best) || (rank(file) === rank(best) && file.size > best.size) ? file : best
  );
}

/** The offset after a plain file's last complete line. */
async function endOfLastLine(file: FoundFile): Promise<number> {
  if (file.compressed) return Number.MAX_SAFE_INTEGER;
  const tail = Math.min(file.size, 65_536);
  const { end, lines } = await readPlainLines(file.path, file.size - tail, tail);
  return lines.length === 0 ? file.size - tail : end;
}

/** A line as a message for the topic, or the reason it is dead-lettered. */
function parseLine(format: LogFormat, decoder: TextDecoder, line: FileLine, at: number) {
  let text: string;
  try {
    text = decoder.decode(line.bytes);
  } catch {
    return { ok: false as const, reason: "line is not valid UTF-8" };
  }
  if (text.trim().length === 0) return { ok: false as const, reason: "line is empty" };
  return lineMessage(format, text, at);
}

/** Bytes of a message's headers, keys and values (UTF-16 units: exact for ASCII). */
function headerBytes(headers: Record<string, string>): number {
  let bytes = 0;
  for (const key in headers) bytes += key.length + headers[key]!.length;
  return bytes;
}

/**
 * The next write of `file` from `position` (lines of `read`, within the write limits), and the
 * position after it; the write's last line carries the checkpoint of every tracked file.
 */
function buildWrite(
  settings: FollowerSettings,
  tracked: ReadonlyMap<string, TrackedFile>,
  file: FoundFile,
  position: TrackedFile,
  read: ReadResult,
  at: number,
): { write: FileWrite; after: TrackedFile } {
  const lines: LineOut[] = [];
  const deadLetters: DeadLine[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const tag = sourceTag(settings.id);
  let bytes = 0;
  let end = position.offset;
  for (const line of read.lines) {
    if (lines.length >= settings.maxWriteLines || bytes >= settings.maxWriteBytes) break;
    const headers = {
      [SOURCE_HEADER]: tag,
      [PATH_HEADER]: file.path,
      [FINGERPRINT_HEADER]: file.fingerprint,
      [OFFSET_HEADER]: String(line.end),
    };
    const message = parseLine(settings.format, decoder, line, at);
    // What is sent counts, not the line: a JSON record with its headers is about twice the
    // line, and a write over the broker's message.max.bytes (1 MiB) is refused on every retry.
    if (message.ok) {
      lines.push({ value: message.value, headers });
      bytes += message.value.length + headerBytes(headers);
    } else {
      const dead = { value: line.bytes, headers: { ...headers, reason: message.reason } };
      deadLetters.push(dead);
      bytes += line.bytes.length + headerBytes(dead.headers);
    }
    end = line.end;
  }
  const after: TrackedFile = {
    ...position,
    dev: file.dev,
    ino: file.ino,
    path: file.path,
    offset: end,
  };
  const next = new Map(tracked).set(file.fingerprint, after);
  const checkpoint = encodeCheckpoint(next.values());
  const last = lines[lines.length - 1];
  if (last !== undefined) last.headers[CHECKPOINT_HEADER] = checkpoint;
  return { write: { lines, deadLetters, checkpoint }, after };
}

/**
 * Starts a follower from a recovered position (`resume`), or from scratch when the topic held
 * none (then `startAtEnd` applies to the files found at the first poll).
 */
export function createFollower(
  settings: FollowerSettings,
  resume: Map<string, TrackedFile> | undefined,
): Follower {
  const tracked = new Map<string, TrackedFile>(resume ?? []);
  const gzipCache: FingerprintCache = new Map();
  const finishedGzip = new Set<string>();
  /** The last read error of each path, so that one is logged once. */
  const unreadable = new Map<string, string>();
  const now = settings.now ?? Date.now;
  let firstPoll = resume === undefined;

  /** Drops positions beyond MAX_TRACKED, those of files not found now first. */
  function prune(present: Set<string>) {
    if (tracked.size <= MAX_TRACKED) return;
    for (const fingerprint of tracked.keys()) {
      if (tracked.size <= MAX_TRACKED) break;
      if (!present.has(fingerprint)) tracked.delete(fingerprint);
    }
  }

  /** Reads and writes what is new in one file; returns the lines handled. */
  async function followFile(
    file: FoundFile,
    write: (write: FileWrite) => Promise<void>,
  ): Promise<number> {
    let position = tracked.get(file.fingerprint);
    if (position === undefined) {
      const offset = firstPoll && settings.startAtEnd ? await endOfLastLine(file) : 0;
      position = {
        fingerprint: file.fingerprint,
        dev: file.dev,
        ino: file.ino,
        offset,
        path: file.path,
      };
      tracked.set(file.fingerprint, position);
    } else if (
      !file.compressed && file.size < position.offset && file.dev === position.dev &&
      file.ino === position.ino
    ) {
      // The file read last shrank yet starts with the same line: truncated and written anew.
      // (A copy shorter than the position, as copytruncate leaves when lines came between its
      // copy and its truncation, has nothing left to read: its lines were read before.)
      settings.log(
        `file source: ${file.path} is shorter (${file.size} bytes) than the position ` +
          `${position.offset} of its content; reading it from its start`,
      );
      position = { ...position, offset: 0 };
      tracked.set(file.fingerprint, position);
    }
    // A gzip file never changes: once read to its end it is not decompressed again.
    const gzipKey = `${file.dev}:${file.ino}:${file.size}:${file.fingerprint}`;
    if (file.compressed && finishedGzip.has(gzipKey)) return 0;
    let handled = 0;
    for (let i = 0; i < WRITES_PER_FILE; i++) {
      let read: ReadResult;
      try {
        read = file.compressed
          ? await readGzipLines(file.path, position.offset, settings.maxWriteBytes)
          : await readPlainLines(file.path, position.offset, settings.maxWriteBytes);
      } catch (error) {
        // Removed since it was found (rotation), or a gzip file still being written: the next
        // poll finds out. Only a failed write needs the position read back from the topic.
        const text = error instanceof Error ? error.message : String(error);
        if (unreadable.get(file.path) !== text) {
          settings.log(`file source: cannot read ${file.path} now (${text}); trying again`);
        }
        if (unreadable.size > 1_000) unreadable.clear();
        unreadable.set(file.path, text);
        break;
      }
      unreadable.delete(file.path);
      if (read.lines.length === 0) {
        if (file.compressed) finishedGzip.add(gzipKey);
        break;
      }
      const { write: next, after } = buildWrite(settings, tracked, file, position, read, now());
      await write(next);
      tracked.set(file.fingerprint, position = after);
      handled += next.lines.length + next.deadLetters.length;
    }
    return handled;
  }

  return {
    tracked,
    async poll(write) {
      const found = await findFiles(settings.patterns, gzipCache);
      const copies = new Map<string, FoundFile[]>();
      for (const file of found) {
        const list = copies.get(file.fingerprint);
        if (list === undefined) copies.set(file.fingerprint, [file]);
        else list.push(file);
      }
      const files = [...copies.entries()]
        .map(([fingerprint, list]) => chooseCopy(list, tracked.get(fingerprint)))
        .sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
      let handled = 0;
      for (const file of files) handled += await followFile(file, write);
      firstPoll = false;
      prune(new Set(copies.keys()));
      return handled;
    },
  };
}
