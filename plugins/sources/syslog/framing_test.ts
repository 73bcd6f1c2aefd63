import assert from "assert";
import { type Frame, frameSplitter } from "./framing.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const texts = (frames: Frame[]) =>
  frames.map((frame) => (frame.ok ? "" : "!") + new TextDecoder().decode(frame.bytes));

Deno.test("octet counting and LF framing, mixed and split anywhere", () => {
  const stream = "11 <13>1 - x y\n<14>a b\r\n7 <15>c d<16>e\n";
  const whole = frameSplitter(1024).push(encode(stream));
  assert.deepEqual(texts(whole), ["<13>1 - x y", "<14>a b", "<15>c d", "<16>e"]);
  for (let cut = 1; cut < stream.length; cut++) {
    const splitter = frameSplitter(1024);
    const frames = [
      ...splitter.push(encode(stream.slice(0, cut))),
      ...splitter.push(encode(stream.slice(cut))),
      ...splitter.end(),
    ];
    assert.deepEqual(texts(frames), texts(whole), `cut at ${cut}`);
  }
});

Deno.test("too long frames are malformed and skipped, the stream goes on", () => {
  const splitter = frameSplitter(8);
  assert.deepEqual(texts(splitter.push(encode("20 <13>0123456789012345<13>ok\n"))), [
    "!20 <13>0123456789012345",
    "<13>ok",
  ]);
  assert.deepEqual(texts(splitter.push(encode("<13>far too long line"))), [
    "!<13>far too long line",
  ]);
  assert.deepEqual(texts(splitter.push(encode(" still\n<13>next\n"))), ["<13>next"]);
});

Deno.test("the last frame of a closed connection, without its LF, still counts", () => {
  const splitter = frameSplitter(1024);
  assert.deepEqual(texts(splitter.push(encode("<13>a\n<13>b"))), ["<13>a"]);
  assert.deepEqual(texts(splitter.end()), ["<13>b"]);
  const cut = frameSplitter(1024);
  cut.push(encode("10 <13>a"));
  assert.match(texts(cut.end())[0]!, /^!/);
});
