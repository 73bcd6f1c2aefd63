/**
 * The README and docs/ stay navigable: every relative link resolves to a file (and, for a
 * Markdown file, to one of its headings when it names an anchor), and every `deno task X` they
 * name is a task of deno.json. Pure: reads files only, no services.
 */
import assert from "assert";
import { REPO_ROOT } from "../lib/services/settings.ts";

/** README.md and every Markdown page of docs/, as paths relative to the repository root. */
async function documentationFiles(): Promise<string[]> {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(`${REPO_ROOT}/docs`)) {
    if (entry.isFile && entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  return files.sort();
}

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Targets of inline links and images: `[text](target)`, `![alt](target "title")`. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1]!);
}

/**
 * GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; a repeated
 * heading gets `-1`, `-2`...
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** What is wrong with one link of `file`, or undefined when it resolves. */
async function brokenLink(file: string, target: string): Promise<string | undefined> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: ...
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const base = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const resolved = path === "" ? file : new URL(path, `file:///${base}`).pathname.slice(1);
  if (resolved.startsWith("..")) return `${target}: leaves the repository`;
  let text: string | undefined;
  try {
    const info = await Deno.stat(`${REPO_ROOT}/${resolved}`);
    if (info.isFile && resolved.endsWith(".md")) {
      text = await Deno.readTextFile(`${REPO_ROOT}/${resolved}`);
    }
  } catch {
    return `${target}: no file ${resolved}`;
  }
  if (anchor === undefined || anchor === "" || text === undefined) return undefined;
  if (!headingAnchors(text).has(decodeURIComponent(anchor))) {
    return `${target}: ${resolved} has no heading #${anchor}`;
  }
  return undefined;
}

Deno.test("every relative link of README.md and docs/ resolves, anchors included", async () => {
  const problems: string[] = [];
  for (const file of await documentationFiles()) {
    const text = await Deno.readTextFile(`${REPO_ROOT}/${file}`);
    for (const target of linkTargets(text)) {
      const problem = await brokenLink(file, target);
      if (problem !== undefined) problems.push(`${file}: ${problem}`);
    }
  }
  assert.deepEqual(problems, [], `broken links:\n${problems.join("\n")}`);
});

Deno.test("every `deno task X` named in README.md and docs/ is a task of deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  const tasks = new Set(Object.keys(config.tasks ?? {}));
  const problems: string[] = [];
  let named = 0;
  for (const file of await documentationFiles()) {
    const text = await Deno.readTextFile(`${REPO_ROOT}/${file}`);
    // Across a line break too: prose wraps "deno task\nrun".
    for (const match of text.matchAll(/\bdeno task\s+([a-z][\w:-]*)/g)) {
      named++;
      if (!tasks.has(match[1]!)) {
        const line = text.slice(0, match.index).split("\n").length;
        problems.push(`${file}:${line}: deno task ${match[1]} is not in deno.json`);
      }
    }
  }
  assert.ok(named > 0, "the docs name no deno task at all");
  assert.deepEqual(problems, [], problems.join("\n"));
});

Deno.test("headingAnchors makes GitHub's anchors", () => {
  const anchors = headingAnchors(
    "# Tables\n## `runtime` keys: defaults\n## State and exactly-once\n## Tables\n" +
      "```sh\n# not a heading\n```\n",
  );
  assert.deepEqual([...anchors], [
    "tables",
    "runtime-keys-defaults",
    "state-and-exactly-once",
    "tables-1",
  ]);
});
