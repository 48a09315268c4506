import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { repoRoot } from "../cluster/paths.js";

// The front page and the reference under docs/ link to each other and into the tree; a link
// whose file or heading moved away fails here rather than on GitHub.

/** GitHub's anchor for a heading: lowercase, punctuation but `-` and `_` dropped, spaces → `-`. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link in a heading anchors on its text
    .replace(/<[^>]+>/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The lines of a markdown text outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^ *(```+|~~~+)/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** Every anchor a markdown file's headings make; a repeated heading gets `-1`, `-2` … */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** The targets of inline links and images outside code (code spans and fenced blocks). */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const prose = line.replace(/(`+)[\s\S]*?\1/g, "");
    for (const m of prose.matchAll(
      /!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
    )) {
      targets.push(m[1] ?? "");
    }
    const reference = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(prose)?.[1];
    if (reference !== undefined) targets.push(reference);
  }
  return targets;
}

/** What is wrong with each relative link of `file` (absolute, repo-relative paths); [] if none. */
function brokenLinks(file: string, read: (path: string) => string): string[] {
  const problems: string[] = [];
  const name = relative(repoRoot, file);
  for (const target of linkTargets(read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // https:, mailto:
    const hash = target.indexOf("#");
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved =
      path === "" ? file : join(path.startsWith("/") ? repoRoot : dirname(file), path);
    if (!existsSync(resolved)) {
      problems.push(`${name}: ${target}: no file ${relative(repoRoot, resolved)}`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) {
      problems.push(`${name}: ${target}: an anchor into a file that is not markdown`);
    } else if (!headingAnchors(read(resolved)).has(anchor)) {
      problems.push(`${name}: ${target}: no heading #${anchor} in ${relative(repoRoot, resolved)}`);
    }
  }
  return problems;
}

const docsDir = join(repoRoot, "docs");
const pages = [
  join(repoRoot, "README.md"),
  ...readdirSync(docsDir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(docsDir, f)),
];
const read = (path: string): string => readFileSync(path, "utf8");

describe("the documentation's links", () => {
  it("makes GitHub's anchors from headings", () => {
    expect(githubSlug("High availability (PostgreSQL)")).to.equal("high-availability-postgresql");
    expect(githubSlug("The REST API, with curl")).to.equal("the-rest-api-with-curl");
    expect(githubSlug("`jobhooks.dev/notify-on` and snake_case")).to.equal(
      "jobhooksdevnotify-on-and-snake_case",
    );
    expect(githubSlug("[Who](x.md) may call it")).to.equal("who-may-call-it");
    expect([
      ...headingAnchors("# A\n\n```sh\n# not a heading\n```\n## A\n### B ##\n"),
    ]).to.deep.equal(["a", "a-1", "b"]);
  });

  it("finds links outside code only, and reference definitions", () => {
    const text = [
      'See [a](a.md#x), ![img](i.png "t") and `[no](code.md)`.',
      "```md",
      "[no](fenced.md)",
      "```",
      "[ref]: ref.md#y",
    ].join("\n");
    expect(linkTargets(text)).to.deep.equal(["a.md#x", "i.png", "ref.md#y"]);
  });

  it("reports a missing file and a missing heading", () => {
    const file = join(repoRoot, "README.md");
    const text =
      "# Page\n[ok](#page) [gone](#gone) [file](docs/nothing.md) [web](https://x.test/#a)";
    expect(brokenLinks(file, (p) => (p === file ? text : read(p)))).to.deep.equal([
      "README.md: #gone: no heading #gone in README.md",
      "README.md: docs/nothing.md: no file docs/nothing.md",
    ]);
  });

  it("has README.md and at least one page under docs/", () => {
    expect(pages.length).to.be.greaterThan(1);
  });

  for (const page of pages) {
    it(`${relative(repoRoot, page)}: every relative link names a file, and every #anchor a heading`, () => {
      expect(brokenLinks(page, read).join("\n")).to.equal("");
    });
  }
});
