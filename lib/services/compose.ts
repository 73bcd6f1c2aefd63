/**
 * Drives compose.yaml through `docker compose` when a Docker engine answers.
 *
 * @module
 */
import { REPO_ROOT } from "./settings.ts";

/** True when `docker compose` is installed and a Docker engine answers. */
export async function composeAvailable(): Promise<boolean> {
  try {
    const version = await new Deno.Command("docker", {
      args: ["compose", "version"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!version.success) return false;
    const info = await new Deno.Command("docker", {
      args: ["info"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return info.success;
  } catch {
    return false;
  }
}

/** Runs `docker compose -f compose.yaml <args>` with output shown; resolves to success. */
export async function compose(args: string[]): Promise<boolean> {
  const result = await new Deno.Command("docker", {
    args: ["compose", "-f", `${REPO_ROOT}/compose.yaml`, ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return result.success;
}
