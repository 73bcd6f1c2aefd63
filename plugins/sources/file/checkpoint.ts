/**
 * The `file` source's position, kept in the topic it writes: the last message of every write
 * carries, in a header, where every followed file had been read to once that write's lines
 * are in. On start the source reads the newest messages of its partition and goes on from the
 * last such header, so the topic is the one truth and nothing else needs to be stored.
 *
 * Invariant: a write is one request to one partition, appended whole or not at all, and its
 * checkpoint covers exactly the lines of that write and of every write before it. So whatever
 * a SIGKILL interrupts, the last checkpoint in the partition names the first line not in it.
 *
 * @module
 */

/** Where one followed file (one content, see `discover.ts`) has been read to. */
export interface TrackedFile {
  /** The content's fingerprint. */
  fingerprint: string;
  /** Device of the copy last read. */
  dev: number;
  /** Inode of the copy last read. */
  ino: number;
  /** Content offset after the last line handled (sent or dead-lettered). */
  offset: number;
  /** Path the file was last read at (for operators). */
  path: string;
}

/** Header naming the source that wrote a message: `file:<id>`. */
export const SOURCE_HEADER = "source";
/** Header of the file path of a message's line. */
export const PATH_HEADER = "file.path";
/** Header of the fingerprint of the content a message's line is in (see `discover.ts`). */
export const FINGERPRINT_HEADER = "file.fingerprint";
/** Header of the content offset after a message's line. */
export const OFFSET_HEADER = "file.offset";
/** Header of the checkpoint, on the last message of each write. */
export const CHECKPOINT_HEADER = "file.checkpoint";

/** The value of the source header for a follower `id`. */
export function sourceTag(id: string): string {
  return `file:${id}`;
}

/** A checkpoint as header text. */
export function encodeCheckpoint(files: Iterable<TrackedFile>): string {
  return JSON.stringify(
    [...files].map((file) => [file.fingerprint, file.dev, file.ino, file.offset, file.path]),
  );
}

/** A checkpoint read back from header text; throws on text this source did not write. */
export function decodeCheckpoint(text: string): Map<string, TrackedFile> {
  const entries = JSON.parse(text) as unknown;
  if (!Array.isArray(entries)) throw new Error(`not a file checkpoint: ${text.slice(0, 80)}`);
  const files = new Map<string, TrackedFile>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 5) {
      throw new Error(`not a file checkpoint entry: ${JSON.stringify(entry).slice(0, 80)}`);
    }
    const [fingerprint, dev, ino, offset, path] = entry as [string, number, number, number, string];
    files.set(fingerprint, { fingerprint, dev, ino, offset, path });
  }
  return files;
}

/** Headers of one message read back (text values). */
export type MessageHeaders = Readonly<Record<string, string | undefined>>;

/**
 * The position a follower resumes from: the last checkpoint written by `id` among `messages`
 * (oldest first), or undefined when none of them carries one.
 */
export function lastCheckpoint(
  messages: readonly MessageHeaders[],
  id: string,
): Map<string, TrackedFile> | undefined {
  const tag = sourceTag(id);
  for (let i = messages.length - 1; i >= 0; i--) {
    const headers = messages[i]!;
    if (headers[SOURCE_HEADER] !== tag) continue;
    const checkpoint = headers[CHECKPOINT_HEADER];
    if (checkpoint !== undefined) return decodeCheckpoint(checkpoint);
  }
  return undefined;
}
