import assert from "assert";
import { compareKeys, spillStore, WindowValues } from "./spill.ts";
import { emptyPartition, spillIdle } from "./partition_state.ts";
import { seededRandom } from "../sdk/random.ts";

Deno.test("spill: a key is in memory or in the file, and reads see both", () => {
  const store = spillStore(0);
  try {
    const values = new WindowValues(store);
    for (let i = 0; i < 100; i++) values.set(`/p${i}`, { n: i });
    assert.equal(store.inMemory, 100);
    assert.equal(values.spill((key) => key === "/p7"), 99);
    assert.equal(values.inMemory, 1);
    assert.equal(store.inMemory, 1);
    assert.equal(values.size, 100);
    assert.deepEqual(values.get("/p42"), { n: 42 });
    assert.equal(values.inMemory, 1, "a read leaves the key in the file");
    assert.ok(values.has("/p99") && !values.has("/nope"));
    assert.equal(values.get("/nope"), undefined);
    // The writer holds a key: it comes back to memory and leaves the file.
    const held = values.hold("/p42") as { n: number };
    held.n++;
    assert.equal(values.inMemory, 2);
    assert.equal(values.size, 100);
    assert.deepEqual(values.get("/p42"), { n: 43 });
    // Setting a spilled key replaces its spilled copy (never both).
    values.set("/p50", { n: -1 });
    assert.equal(values.size, 100);
    assert.equal([...values.keys()].filter((key) => key === "/p50").length, 1);
    assert.deepEqual(
      new Map(values).get("/p50"),
      { n: -1 },
    );
    assert.equal(values.hold("/new"), undefined);
    assert.equal(store.loaded, 1);
    values.drop();
    assert.equal(values.size, 0);
    assert.equal(store.inMemory, 0);
    assert.equal(values.get("/p1"), undefined);
  } finally {
    store.close();
  }
});

Deno.test("spill: random holds, sets, spills and drops agree with a plain map", () => {
  const store = spillStore(0);
  try {
    const random = seededRandom(11);
    const values = new WindowValues(store);
    const expected = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const roll = random();
      const key = `/k${Math.floor(random() * 3000)}`;
      if (roll < 0.6) {
        const value = (values.hold(key) as number | undefined) ?? 0;
        values.set(key, value + 1);
        expected.set(key, (expected.get(key) ?? 0) + 1);
      } else if (roll < 0.62) {
        values.spill(() => random() < 0.3);
      } else if (roll < 0.6205) {
        values.drop();
        expected.clear();
      } else {
        assert.equal(values.get(key), expected.get(key), `step ${step}: ${key}`);
      }
    }
    assert.equal(values.size, expected.size);
    assert.deepEqual(new Map(values), expected);
    const sorted = [...values.sortedEntries()].map(([key]) => key);
    assert.deepEqual(sorted, [...expected.keys()].sort(compareKeys));
    assert.ok(store.spilled > 3000 && store.loaded > 1000, `${store.spilled} ${store.loaded}`);
  } finally {
    store.close();
  }
});

Deno.test("spill: keys sort by code point, as SQLite sorts UTF-8", () => {
  const keys = ["/b", "/a", "/\u{1F600}", "/\uFF5E", "/", "/a/b", "/\u00e9"];
  const store = spillStore(0);
  try {
    const values = new WindowValues(store);
    for (const key of keys) values.set(key, 1);
    values.spill((key) => key.length % 2 === 0);
    const byCodePoint = [...keys].sort((a, b) => {
      const x = [...a].map((c) => c.codePointAt(0)!), y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] !== y[i]) return x[i]! - y[i]!;
      }
      return x.length - y.length;
    });
    assert.deepEqual([...values.sortedEntries()].map(([key]) => key), byCodePoint);
    assert.notDeepEqual([...keys].sort(), byCodePoint, "UTF-16 order differs here");
  } finally {
    store.close();
  }
});

Deno.test("spill: idle keys spill past the budget, those the next entry writes stay", () => {
  const store = spillStore(10);
  try {
    const state = emptyPartition("RAWLOG", 0, store);
    for (const windowKey of ["2026-11-20", "2026-11-21"]) {
      const values = new WindowValues(store);
      for (let i = 0; i < 20; i++) values.set(`/p${i}`, i);
      state.windows.set(`pages\u0000${windowKey}`, {
        aggregation: "pages",
        windowKey,
        closesAt: Infinity,
        records: 20,
        values,
        changed: new Set(["/p1", "/p2"]),
        recordsChanged: true,
        changedSinceResult: new Set(),
      });
    }
    // The first window's idle keys go (18), and that brings memory to 22: the second's too.
    assert.equal(spillIdle(state), 36);
    assert.equal(store.inMemory, 4);
    for (const window of state.windows.values()) {
      assert.equal(window.values.inMemory, 2);
      assert.equal(window.values.size, 20);
    }
    assert.equal(spillIdle(state), 0, "under the budget: nothing more");
  } finally {
    store.close();
  }
});

Deno.test("spill: the file goes when the store closes", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const store = spillStore(0, dir);
    const values = new WindowValues(store);
    values.set("/x", 1);
    assert.equal([...Deno.readDirSync(dir)].length, 0, "no file before the first spill");
    values.spill(() => false);
    assert.equal([...Deno.readDirSync(dir)].length, 1);
    store.close();
    assert.equal([...Deno.readDirSync(dir)].length, 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("spill: a write that fails half-way leaves every key in memory, nothing lost", () => {
  const real = spillStore(0);
  try {
    let puts = 0;
    const failing = {
      ...real,
      db() {
        const db = real.db();
        return {
          ...db,
          put: {
            run(...args: unknown[]) {
              if (++puts === 3) throw new Error("database or disk is full");
              return (db.put.run as (...args: unknown[]) => unknown)(...args);
            },
          },
        } as unknown as ReturnType<typeof real.db>;
      },
    };
    const values = new WindowValues(failing);
    for (let i = 0; i < 5; i++) values.set(`/p${i}`, i);
    assert.throws(() => values.spill(() => false), /disk is full/);
    assert.equal(values.inMemory, 5);
    assert.equal(values.size, 5);
    assert.deepEqual(new Map(values), new Map([0, 1, 2, 3, 4].map((i) => [`/p${i}`, i])));
    assert.equal(values.spill(() => false), 5, "the next spill writes them all");
    assert.deepEqual(new Map(values), new Map([0, 1, 2, 3, 4].map((i) => [`/p${i}`, i])));
  } finally {
    real.close();
  }
});

Deno.test("spill: a state_dir that is not a directory is named, with what to do", () => {
  const file = Deno.makeTempFileSync();
  try {
    assert.throws(
      () => spillStore(10, file),
      /runtime\.state_dir: cannot keep spilled state under .*not a directory.*create the directory/,
    );
    assert.throws(() => spillStore(10, `${file}-missing`), /runtime\.state_dir: .*No such file/);
  } finally {
    Deno.removeSync(file);
  }
});
