/**
 * The local cache behind the state in memory: values of state keys that stopped changing leave
 * memory for an embedded SQLite file (`node:sqlite`), the way RocksDB backs Kafka Streams' and
 * Flink's state, and come back when a record adds to them again. It is a cache, never the
 * truth: the changelog is, so the file is a temporary one, removed when the processor closes,
 * and a restarted process rebuilds from the changelog.
 *
 * Invariants (unit tests in `spill_test.ts`):
 * - **One place per key.** A key of a window is either in memory or in the file, never both:
 *   `hold` moves it back (the row is deleted), `set` of a spilled key deletes its row, `spill`
 *   writes only keys held in memory and removes them from it.
 * - **Reads see both.** `get`, `has`, `size` and iteration read memory and file alike, and never
 *   write: a whole merge may read several windows while iterating one.
 * - **No false negatives.** Each window's Bloom filter holds every key it ever spilled (until
 *   the window is dropped), so a key the filter has not seen is not in the file, and a new key
 *   costs no file lookup.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { join } from "node:path";
import { decode, Encoder } from "@msgpack/msgpack";

/** Where spilled values go, shared by every window of a processor. */
export interface SpillStore {
  /** Keys held in memory over every window (what `budget` bounds). */
  inMemory: number;
  /** Most keys held in memory before idle ones spill. */
  budget: number;
  /** Keys written to the file so far. */
  spilled: number;
  /** Keys read back from the file so far. */
  loaded: number;
  /** Closes the file and removes it. */
  close(): void;
  /** The statements (opened on first use). */
  db(): SpillDb;
  /** A fresh window handle. */
  nextHandle(): number;
}

/** The prepared statements of the file. */
export interface SpillDb {
  put: StatementSync;
  get: StatementSync;
  remove: StatementSync;
  take: StatementSync;
  drop: StatementSync;
  exec(sql: string): void;
  /**
   * The rows of a query over one window, on a statement of its own (several windows are read
   * at once in a merge, and a statement read again would reset).
   */
  rows(sql: RowsQuery, window: number): Iterator<{ key: string; value: Uint8Array }>;
}

/** Queries of one window's rows: all, in key order, keys only. */
const ROWS = {
  all: "SELECT key, value FROM spilled WHERE window = ?",
  sorted: "SELECT key, value FROM spilled WHERE window = ? ORDER BY key",
  keys: "SELECT key FROM spilled WHERE window = ?",
};

/** Which of those. */
export type RowsQuery = keyof typeof ROWS;

/**
 * A spill store of at most `budget` keys in memory, its file in a new temporary directory
 * under `dir` (the system's temporary directory by default), created when first needed.
 *
 * @throws Error naming `runtime.state_dir` when `dir` is given and is not a directory.
 */
export function spillStore(budget: number, dir?: string): SpillStore {
  if (dir !== undefined) {
    let problem: string | undefined;
    try {
      if (!Deno.statSync(dir).isDirectory) problem = "it is not a directory";
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem !== undefined) {
      throw new Error(
        `runtime.state_dir: cannot keep spilled state under ${dir} (${problem}); create the ` +
          "directory or point runtime.state_dir at a writable one",
      );
    }
  }
  let opened: { db: DatabaseSync; statements: SpillDb; path: string } | undefined;
  let handles = 0;
  const store: SpillStore = {
    inMemory: 0,
    budget,
    spilled: 0,
    loaded: 0,
    nextHandle: () => ++handles,
    db() {
      if (opened === undefined) {
        const path = Deno.makeTempDirSync({ dir, prefix: "web-analytics-state-" });
        const db = new DatabaseSync(join(path, "spill.db"));
        // A cache rebuilt from the changelog: no journal, no syncs.
        db.exec(
          "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768;" +
            "CREATE TABLE spilled (window INTEGER, key TEXT, value BLOB," +
            " PRIMARY KEY (window, key)) WITHOUT ROWID",
        );
        const statements: SpillDb = {
          put: db.prepare("INSERT INTO spilled (window, key, value) VALUES (?, ?, ?)"),
          get: db.prepare("SELECT value FROM spilled WHERE window = ? AND key = ?"),
          remove: db.prepare("DELETE FROM spilled WHERE window = ? AND key = ?"),
          take: db.prepare("DELETE FROM spilled WHERE window = ? AND key = ? RETURNING value"),
          drop: db.prepare("DELETE FROM spilled WHERE window = ?"),
          exec: (sql) => db.exec(sql),
          rows: (query, window) =>
            db.prepare(ROWS[query]).iterate(window) as Iterator<
              { key: string; value: Uint8Array }
            >,
        };
        opened = { db, statements, path };
      }
      return opened.statements;
    },
    close() {
      if (opened === undefined) return;
      opened.db.close();
      Deno.removeSync(opened.path, { recursive: true });
      opened = undefined;
    },
  };
  return store;
}

/**
 * Orders keys by code point, as SQLite orders its UTF-8 text, so a sorted scan of the file and
 * sorted keys in memory merge (JavaScript's `<` orders UTF-16 units, which differs above
 * U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A UTF-16 unit's rank in code point order: surrogates (pairs above U+FFFF) sort last. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/**
 * A Bloom filter of the keys a window spilled: 16 bits and 4 probes per key (~0.2% false
 * positives) while it holds at most `capacity`; a full filter gets a twice larger successor
 * and both are asked (a scalable Bloom filter: no key is ever read back to rebuild one).
 */
interface KeyFilter {
  bits: Uint32Array;
  /** Keys added. */
  added: number;
  capacity: number;
  /** The full filter before this one. */
  older?: KeyFilter;
}

function keyFilter(capacity: number, older?: KeyFilter): KeyFilter {
  let words = 1;
  while (words * 32 < capacity * 16) words *= 2;
  return { bits: new Uint32Array(words), added: 0, capacity, ...(older ? { older } : {}) };
}

/** Two 32-bit FNV-1a hashes of `key` (different offsets), for double hashing. */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [a >>> 0, (b >>> 0) | 1];
}

/** `filter` with `key` added (a successor when it was full). */
function filterAdd(filter: KeyFilter | undefined, key: string): KeyFilter {
  if (filter === undefined) filter = keyFilter(1024);
  else if (filter.added >= filter.capacity) filter = keyFilter(2 * filter.capacity, filter);
  const [a, b] = hashes(key);
  const mask = filter.bits.length * 32 - 1;
  for (let i = 0; i < 4; i++) {
    const bit = (a + i * b) & mask;
    filter.bits[bit >>> 5]! |= 1 << (bit & 31);
  }
  filter.added++;
  return filter;
}

function filterHas(filter: KeyFilter | undefined, key: string): boolean {
  if (filter === undefined) return false;
  const [a, b] = hashes(key);
  for (let at: KeyFilter | undefined = filter; at !== undefined; at = at.older) {
    const mask = at.bits.length * 32 - 1;
    let all = true;
    for (let i = 0; i < 4 && all; i++) {
      const bit = (a + i * b) & mask;
      all = (at.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
    }
    if (all) return true;
  }
  return false;
}

/**
 * The values of one window's state keys: in memory, or spilled to the store's file. A
 * read-only `Map` to readers (results, snapshots), with `hold` and `set` for the writer.
 */
export class WindowValues implements ReadonlyMap<string, unknown> {
  readonly #memory = new Map<string, unknown>();
  readonly #store: SpillStore | undefined;
  #handle = 0;
  /** Keys in the file. */
  #spilled = 0;
  #filter: KeyFilter | undefined;

  /** Values kept in memory only (no store), or spilling to `store`. */
  constructor(store?: SpillStore) {
    this.#store = store;
  }

  /** Keys, in memory and spilled. */
  get size(): number {
    return this.#memory.size + this.#spilled;
  }

  /** Keys held in memory. */
  get inMemory(): number {
    return this.#memory.size;
  }

  /** A key's value (read from the file when spilled; the file is not changed). */
  get(key: string): unknown {
    const value = this.#memory.get(key);
    if (value !== undefined || !this.#maySpill(key)) return value;
    const row = this.#store!.db().get.get(this.#handle, key) as { value: Uint8Array } | undefined;
    return row === undefined ? undefined : decode(row.value);
  }

  /** Whether the window holds `key`. */
  has(key: string): boolean {
    return this.#memory.has(key) || this.get(key) !== undefined;
  }

  /**
   * A key's value for the writer to add to: a spilled one comes back to memory (and leaves the
   * file), so the value returned is the one kept, which `add` may change in place.
   */
  hold(key: string): unknown {
    const value = this.#memory.get(key);
    if (value !== undefined || !this.#maySpill(key)) return value;
    const row = this.#store!.db().take.get(this.#handle, key) as { value: Uint8Array } | undefined;
    if (row === undefined) return undefined;
    this.#spilled--;
    this.#store!.loaded++;
    const loaded = decode(row.value);
    this.#setInMemory(key, loaded);
    return loaded;
  }

  /** Sets a key's value in memory (its spilled copy, if any, goes). */
  set(key: string, value: unknown): this {
    if (!this.#memory.has(key)) {
      if (this.#maySpill(key) && this.#store!.db().remove.run(this.#handle, key).changes) {
        this.#spilled--;
      }
    }
    this.#setInMemory(key, value);
    return this;
  }

  #setInMemory(key: string, value: unknown): void {
    const before = this.#memory.size;
    this.#memory.set(key, value);
    if (this.#store !== undefined) this.#store.inMemory += this.#memory.size - before;
  }

  /** Whether `key` may be in the file (false: it surely is not). */
  #maySpill(key: string): boolean {
    return this.#spilled > 0 && filterHas(this.#filter, key);
  }

  /**
   * Moves every key held in memory that `keep` does not name to the file. Returns how many
   * left memory.
   */
  spill(keep: (key: string) => boolean): number {
    const store = this.#store;
    if (store === undefined || this.#memory.size === 0) return 0;
    const db = store.db();
    if (this.#handle === 0) this.#handle = store.nextHandle();
    const moving: string[] = [];
    const encoder = new Encoder();
    db.exec("BEGIN");
    try {
      for (const [key, value] of this.#memory) {
        if (keep(key)) continue;
        db.put.run(this.#handle, key, encoder.encode(value));
        moving.push(key);
      }
      db.exec("COMMIT");
    } catch (error) {
      // Nothing left memory yet: undone, every key stays where it was.
      try {
        db.exec("ROLLBACK");
      } catch { /* the transaction is gone already */ }
      throw error;
    }
    for (const key of moving) {
      this.#memory.delete(key);
      this.#filter = filterAdd(this.#filter, key);
    }
    this.#spilled += moving.length;
    store.inMemory -= moving.length;
    store.spilled += moving.length;
    return moving.length;
  }

  /** Forgets every key (the window left the state): memory and file alike. */
  drop(): void {
    if (this.#store !== undefined) {
      this.#store.inMemory -= this.#memory.size;
      if (this.#spilled > 0) this.#store.db().drop.run(this.#handle);
    }
    this.#memory.clear();
    this.#spilled = 0;
    this.#filter = undefined;
  }

  /** Every key and value: those in memory, then those spilled. */
  *entries(): MapIterator<[string, unknown]> {
    yield* this.#memory.entries();
    if (this.#spilled === 0) return;
    const rows = this.#store!.db().rows("all", this.#handle);
    for (let row = rows.next(); !row.done; row = rows.next()) {
      yield [row.value.key, decode(row.value.value)];
    }
  }

  /**
   * Every key and value in {@linkcode compareKeys} order (memory's keys sorted, merged with
   * the file's sorted scan), so several windows merge key by key without lookups.
   */
  *sortedEntries(): Generator<[string, unknown]> {
    const memory = [...this.#memory.keys()].sort(compareKeys);
    const rows = this.#spilled === 0 ? undefined : this.#store!.db().rows("sorted", this.#handle);
    let row = rows?.next();
    let i = 0;
    while (i < memory.length || (row !== undefined && !row.done)) {
      if (
        row === undefined || row.done ||
        (i < memory.length && compareKeys(memory[i]!, row.value.key) < 0)
      ) {
        const key = memory[i++]!;
        yield [key, this.#memory.get(key)];
      } else {
        yield [row.value.key, decode(row.value.value)];
        row = rows!.next();
      }
    }
  }

  /** Every key. */
  *keys(): MapIterator<string> {
    yield* this.#memory.keys();
    if (this.#spilled === 0) return;
    const rows = this.#store!.db().rows("keys", this.#handle);
    for (let row = rows.next(); !row.done; row = rows.next()) yield row.value.key;
  }

  /** Every value. */
  *values(): MapIterator<unknown> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Calls `callback` with every key and value. */
  forEach(
    callback: (value: unknown, key: string, map: ReadonlyMap<string, unknown>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  /** Every key and value. */
  [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
}
