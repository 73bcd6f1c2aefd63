/**
 * Reading the complete lines of a file after a byte offset, plain or gzip.
 *
 * Offsets count bytes of the content (of the decompressed content for a gzip file), so a
 * position taken in a plain file stays right after the file is compressed.
 *
 * @module
 */

/** One complete line. */
export interface FileLine {
  /** The line's bytes, without `\n` (nor a `\r` before it). */
  bytes: Uint8Array;
  /** Offset just after the line's `\n`: where reading goes on after it. */
  end: number;
}

/** The lines read, and the offset after the last of them. */
export interface ReadResult {
  /** Complete lines, in file order. */
  lines: FileLine[];
  /** Offset after the last line read (the given offset when none). */
  end: number;
}

/** Splits `chunk` (starting at content offset `start`) into complete lines. */
export function splitLines(chunk: Uint8Array, start: number, final: boolean): ReadResult {
  const lines: FileLine[] = [];
  let lineStart = 0;
  for (;;) {
    const newline = chunk.indexOf(10, lineStart);
    if (newline < 0) break;
    const stop = newline > lineStart && chunk[newline - 1] === 13 ? newline - 1 : newline;
    lines.push({ bytes: chunk.subarray(lineStart, stop), end: start + newline + 1 });
    lineStart = newline + 1;
  }
  if (final && lineStart < chunk.length) {
    // The last line of a finished (compressed) file may lack its newline.
    lines.push({ bytes: chunk.subarray(lineStart), end: start + chunk.length });
    lineStart = chunk.length;
  }
  return { lines, end: start + lineStart };
}

/**
 * Complete lines of a plain file from `offset`, reading at most `maxBytes`. A line longer than
 * `maxBytes` is cut there (and will not parse), so one huge line cannot stall the file.
 */
export async function readPlainLines(
  path: string,
  offset: number,
  maxBytes: number,
): Promise<ReadResult> {
  using file = await Deno.open(path);
  await file.seek(offset, Deno.SeekMode.Start);
  const buffer = new Uint8Array(maxBytes);
  let filled = 0;
  while (filled < buffer.length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  const chunk = buffer.subarray(0, filled);
  const result = splitLines(chunk, offset, false);
  if (result.lines.length === 0 && filled === maxBytes) return splitLines(chunk, offset, true);
  return result;
}

/**
 * Lines of a gzip file's content from `offset`, at most about `maxBytes` of them: the content
 * before `offset` is decompressed and skipped. The file is complete (rotated), so its last line
 * counts even without a newline.
 */
export async function readGzipLines(
  path: string,
  offset: number,
  maxBytes: number,
): Promise<ReadResult> {
  using file = await Deno.open(path);
  const reader = file.readable.pipeThrough(new DecompressionStream("gzip")).getReader();
  const parts: Uint8Array[] = [];
  let position = 0;
  let length = 0;
  let finished = false;
  try {
    while (length < maxBytes) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      const from = Math.max(0, offset - position);
      position += value.length;
      if (from >= value.length) continue;
      parts.push(value.subarray(from));
      length += value.length - from;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const chunk = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    chunk.set(part, at);
    at += part.length;
  }
  return splitLines(chunk, offset, finished);
}
