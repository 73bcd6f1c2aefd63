/**
 * Runs a Java server natively: fetches its jars with Maven into a cache outside the repo, starts
 * it detached with a pid file, and stops exactly the process that pid file names.
 *
 * @module
 */
import { cacheDir, servicesDir } from "./settings.ts";
import type { ProbeResult } from "./probe.ts";
import { portAnswers } from "./probe.ts";

/** What it takes to run one server natively. */
export interface NativeServer {
  /** Short name, used for folders and messages: `kafka`, `cassandra`, `chaos-kafka`. */
  name: string;
  /** Which server it is (`kafka`, `cassandra`): names the shared jar cache folder. */
  product: string;
  /** Release being run. */
  version: string;
  /** Loopback address it binds (default 127.0.0.1; cluster nodes use 127.0.0.2, 127.0.0.3). */
  host?: string;
  /** Every loopback port the server binds (checked for conflicts before start). */
  ports: number[];
  /** Maven coordinates (`group:artifact:version`) whose jars with dependencies form the classpath. */
  artifacts: string[];
  /** Heap size given to the JVM, e.g. `1G`. */
  heap: string;
  /** Writes config files and formats storage in `dataDir` before the first start. */
  prepare(dataDir: string, jarDir: string): Promise<void>;
  /** JVM options and main class with arguments. */
  javaArgs(dataDir: string, jarDir: string): string[];
  /** Readiness check. */
  probe(): Promise<ProbeResult>;
}

/** A user-facing failure of the services task, with what to do about it. */
export class ServicesError extends Error {
  /** Builds an error whose message already says what to do. */
  constructor(message: string) {
    super(message);
    this.name = "ServicesError";
  }
}

/** Folder of this server's data, logs and pid file. */
export function dataDirOf(server: NativeServer): string {
  return `${servicesDir()}/${server.name}`;
}

/** Log file of this server. */
export function logFileOf(server: NativeServer): string {
  return `${dataDirOf(server)}/server.log`;
}

function pidFileOf(server: NativeServer): string {
  return `${dataDirOf(server)}/server.pid`;
}

function jarDirOf(server: NativeServer): string {
  return `${cacheDir()}/${server.product}-${server.version}/lib`;
}

/** Marker on the command line so a pid is only ever treated as ours if it is. */
function markerOf(server: NativeServer): string {
  return `-Dweb-analytics.service=${server.name}`;
}

/** Checks that java (17+) and mvn are on the PATH; throws with install advice otherwise. */
export async function checkJavaTools(): Promise<void> {
  const java = await commandOutput("java", ["-version"]);
  if (java === undefined) {
    throw new ServicesError(
      "java was not found on PATH. Install Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`) " +
        "or install Docker so `deno task services up` can use compose.yaml.",
    );
  }
  const major = Number(/version "(\d+)/.exec(java)?.[1] ?? "0");
  if (major < 17) {
    throw new ServicesError(
      `java ${major} found, but Kafka and Cassandra here need Java 17 or newer.`,
    );
  }
  if (await commandOutput("mvn", ["-v"]) === undefined) {
    throw new ServicesError(
      "mvn (Apache Maven) was not found on PATH; it fetches the Kafka and Cassandra jars. " +
        "Install it (e.g. `apt-get install maven`) or install Docker.",
    );
  }
}

/** Downloads the server's jars into the cache unless already there. */
async function installServer(
  server: NativeServer,
  log: (line: string) => void,
): Promise<void> {
  const jarDir = jarDirOf(server);
  const doneMarker = `${jarDir}/.complete`;
  if (await exists(doneMarker)) return;
  log(
    `fetching ${server.product} ${server.version} jars with Maven into ${jarDir} (first run only)`,
  );
  const home = jarDir.replace(/\/lib$/, "");
  await Deno.mkdir(home, { recursive: true });
  await Deno.writeTextFile(`${home}/pom.xml`, pomFor(server));
  const result = await new Deno.Command("mvn", {
    args: [
      "-q",
      "-B",
      "-f",
      `${home}/pom.xml`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${jarDir}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const output = new TextDecoder().decode(result.stdout) +
      new TextDecoder().decode(result.stderr);
    throw new ServicesError(
      `Maven could not fetch ${
        server.artifacts.join(", ")
      }. Check that Maven Central is reachable ` +
        `(or a mirror in ~/.m2/settings.xml). Maven said:\n${lastLines(output, 15)}`,
    );
  }
  await Deno.writeTextFile(doneMarker, new Date().toISOString());
}

/** Pid of the server this project started, if it still runs. */
export async function runningPid(server: NativeServer): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await Deno.readTextFile(pidFileOf(server))).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmdline.includes(markerOf(server)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the server detached (it outlives this process), recording its pid. Throws when one of
 * its ports is held by another program.
 */
export async function startServer(
  server: NativeServer,
  log: (line: string) => void,
): Promise<number> {
  const host = server.host ?? "127.0.0.1";
  for (const port of server.ports) {
    if (await portAnswers(port, host)) {
      throw new ServicesError(
        `port ${port} on ${host} is held by another program, so ${server.name} cannot start. ` +
          `Find it with \`ss -ltnp 'sport = :${port}'\` and stop it, or point the pipeline at that ` +
          `server instead (KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS) if it is a ${server.name}, ` +
          `or choose other ports (\`deno task services up --help\`).`,
      );
    }
  }
  await installServer(server, log);
  const dataDir = dataDirOf(server);
  const jarDir = jarDirOf(server);
  await Deno.mkdir(dataDir, { recursive: true });
  await server.prepare(dataDir, jarDir);
  const args = [
    `-Xms${server.heap}`,
    `-Xmx${server.heap}`,
    // A JVM out of heap keeps answering with corrupt in-memory state (Cassandra then failed
    // every write with a NullPointerException); exiting makes the failure plain to
    // `deno task services status` and to the runner, and `services up` starts it afresh.
    "-XX:+ExitOnOutOfMemoryError",
    markerOf(server),
    ...server.javaArgs(dataDir, jarDir),
  ];
  const script = `echo $$ > "$1"; shift; exec java "$@" >> "${logFileOf(server)}" 2>&1 < /dev/null`;
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", script, "sh", pidFileOf(server), ...args],
    cwd: dataDir,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  for (let i = 0; i < 50; i++) {
    const pid = await runningPid(server);
    if (pid !== undefined) return pid;
    await delay(100);
  }
  throw new ServicesError(`${server.name} did not start. Its log:\n${await tailLog(server, 20)}`);
}

/** Stops the server this project started (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopServer(
  server: NativeServer,
  graceMs = 30_000,
): Promise<number | undefined> {
  const pid = await runningPid(server);
  if (pid === undefined) {
    await Deno.remove(pidFileOf(server)).catch(() => {});
    return undefined;
  }
  Deno.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && await runningPid(server) !== undefined) await delay(200);
  if (await runningPid(server) !== undefined) Deno.kill(pid, "SIGKILL");
  while (await runningPid(server) !== undefined) await delay(100);
  await Deno.remove(pidFileOf(server)).catch(() => {});
  return pid;
}

/** Last `count` lines of the server's log. */
export async function tailLog(server: NativeServer, count: number): Promise<string> {
  try {
    return lastLines(await Deno.readTextFile(logFileOf(server)), count);
  } catch {
    return `(no log at ${logFileOf(server)})`;
  }
}

function pomFor(server: NativeServer): string {
  const dependencies = server.artifacts.map((coordinates) => {
    const [group, artifact, version] = coordinates.split(":");
    return `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId>` +
      `<version>${version}</version></dependency>`;
  }).join("\n    ");
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.web-analytics</groupId>
  <artifactId>${server.product}-runtime</artifactId>
  <version>${server.version}</version>
  <packaging>pom</packaging>
  <dependencies>
    ${dependencies}
  </dependencies>
</project>
`;
}

async function commandOutput(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    if (!result.success) return undefined;
    return new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  } catch {
    return undefined;
  }
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
