/**
 * What machine and software a bench ran on: cores, memory, CPU model, Deno, Kafka and
 * Cassandra versions.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { KAFKA_VERSION } from "../lib/services/settings.ts";

/** The machine and versions a bench ran on. */
export interface MachineInfo {
  /** Cores available (`nproc`). */
  nproc: number;
  /** Total memory, MiB (/proc/meminfo). */
  memoryMb: number;
  /** CPU model (/proc/cpuinfo). */
  cpuModel: string;
  /** Deno, V8 and TypeScript versions. */
  deno: typeof Deno.version;
  /** Kafka release (the project's configured one; brokers do not report it). */
  kafka: string;
  /** Cassandra release, as the node reports it. */
  cassandra: string;
}

/**
 * Collects machine facts and versions.
 *
 * @param client A connected Cassandra client (asked for its release version).
 * @returns The facts; unknown values read "unknown".
 */
export async function machineInfo(client: cassandra.Client): Promise<MachineInfo> {
  const read = (path: string) => Deno.readTextFile(path).catch(() => "");
  const cpuinfo = await read("/proc/cpuinfo");
  const meminfo = await read("/proc/meminfo");
  const release = await client.execute("SELECT release_version FROM system.local")
    .then((result) => String(result.first()?.get("release_version") ?? "unknown"))
    .catch(() => "unknown");
  return {
    nproc: await nproc(),
    memoryMb: Math.round(Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) / 1024),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    deno: Deno.version,
    kafka: `${KAFKA_VERSION} (configured release)`,
    cassandra: release,
  };
}

async function nproc(): Promise<number> {
  try {
    const output = await new Deno.Command("nproc", { stdout: "piped", stderr: "null" }).output();
    const count = Number(new TextDecoder().decode(output.stdout).trim());
    if (Number.isInteger(count) && count > 0) return count;
  } catch {
    // no nproc: fall back to what the runtime sees
  }
  return navigator.hardwareConcurrency;
}
