/**
 * Syslog over TCP (RFC 6587): splitting a connection's bytes into messages, by octet counting
 * (`LEN SP MSG`, a frame starting with a digit) or by a trailing LF (a frame starting with
 * anything else, `<PRI>` normally). Each frame chooses, so a sender may mix them.
 *
 * @module
 */

/** One frame: the message bytes, or why the bytes could not be a message. */
export type Frame =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; bytes: Uint8Array; reason: string };

/** A splitter for one connection. */
export interface FrameSplitter {
  /** Adds received bytes; returns the frames now complete. */
  push(chunk: Uint8Array): Frame[];
  /** The connection ended: what is left is one last frame (malformed when counted short). */
  end(): Frame[];
}

const LF = 10;
const SPACE = 32;
/** A message length has at most this many digits (RFC 6587 allows any; 1 GB is plenty). */
const MAX_LENGTH_DIGITS = 9;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** Drops a trailing CR and NULs (some senders end frames with CRLF or NUL). */
function trimEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 13 || bytes[end - 1] === 0)) end--;
  return bytes.subarray(0, end);
}

/**
 * A frame splitter for one TCP connection.
 *
 * @param maxBytes Longest message; a longer one is a malformed frame (its bytes are skipped).
 * @returns The splitter.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { frameSplitter } from "./framing.ts";
 * const frames = frameSplitter(1024).push(new TextEncoder().encode("5 <13>a<13>b\n"));
 * assert.equal(frames.length, 2);
 * ```
 */
export function frameSplitter(maxBytes: number): FrameSplitter {
  let buffer: Uint8Array = new Uint8Array(0);
  /** Bytes of an over-long frame still to skip (-1: up to the next LF). */
  let skipping = 0;

  function next(frames: Frame[]): boolean {
    if (skipping !== 0) {
      if (skipping > 0) {
        const skipped = Math.min(skipping, buffer.length);
        buffer = buffer.subarray(skipped);
        skipping -= skipped;
        return skipping === 0 && buffer.length > 0;
      }
      const lf = buffer.indexOf(LF);
      if (lf < 0) {
        buffer = new Uint8Array(0);
        return false;
      }
      buffer = buffer.subarray(lf + 1);
      skipping = 0;
      return buffer.length > 0;
    }
    while (buffer.length > 0 && (buffer[0] === LF || buffer[0] === 13 || buffer[0] === 0)) {
      buffer = buffer.subarray(1);
    }
    if (buffer.length === 0) return false;
    const first = buffer[0]!;
    if (first >= 49 && first <= 57) {
      let at = 0;
      while (
        at < buffer.length && at < MAX_LENGTH_DIGITS && buffer[at]! >= 48 && buffer[at]! <= 57
      ) {
        at++;
      }
      if (at === buffer.length) return false; // the length is still arriving
      if (buffer[at] === SPACE) {
        const length = Number(new TextDecoder().decode(buffer.subarray(0, at)));
        if (length > maxBytes) {
          frames.push({
            ok: false,
            bytes: buffer.subarray(0, Math.min(buffer.length, at + 1 + Math.min(length, 200))),
            reason: `syslog frame: octet count ${length} is above max_message_bytes ${maxBytes}`,
          });
          buffer = buffer.subarray(at + 1);
          skipping = length;
          return true;
        }
        if (buffer.length < at + 1 + length) return false;
        frames.push({ ok: true, bytes: buffer.subarray(at + 1, at + 1 + length) });
        buffer = buffer.subarray(at + 1 + length);
        return true;
      }
      // Digits not followed by a space: not a count, so the frame ends at LF.
    }
    const lf = buffer.indexOf(LF);
    if (lf < 0) {
      if (buffer.length > maxBytes) {
        frames.push({
          ok: false,
          bytes: buffer.subarray(0, 200),
          reason: `syslog frame: no line end within max_message_bytes ${maxBytes}`,
        });
        buffer = new Uint8Array(0);
        skipping = -1;
      }
      return false;
    }
    const bytes = trimEnd(buffer.subarray(0, lf));
    buffer = buffer.subarray(lf + 1);
    if (bytes.length > maxBytes) {
      frames.push({
        ok: false,
        bytes: bytes.subarray(0, 200),
        reason: `syslog frame: ${bytes.length} bytes, above max_message_bytes ${maxBytes}`,
      });
    } else if (bytes.length > 0) {
      frames.push({ ok: true, bytes });
    }
    return true;
  }

  return {
    push(chunk) {
      buffer = concat(buffer, chunk);
      const frames: Frame[] = [];
      while (next(frames)) { /* another frame */ }
      // Keep what is left in its own buffer, so the chunk it came from can be dropped.
      buffer = buffer.slice();
      return frames;
    },
    end() {
      const frames: Frame[] = [];
      if (skipping === 0 && buffer.length > 0) {
        const bytes = trimEnd(buffer);
        const first = bytes[0]!;
        if (first >= 49 && first <= 57 && bytes.indexOf(SPACE) > 0) {
          frames.push({
            ok: false,
            bytes,
            reason: "syslog frame: connection closed inside a counted frame",
          });
        } else if (bytes.length > 0) {
          frames.push({ ok: true, bytes });
        }
      }
      buffer = new Uint8Array(0);
      return frames;
    },
  };
}
