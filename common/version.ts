import { readFileSync } from "node:fs";

// package.json sits two folders above the compiled module (dist/common/version.js) and one above
// the source; read whichever exists so `npm pack` and the work tree agree.
function readVersion(): string {
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "jobhooks" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "unknown";
}

export const VERSION: string = readVersion();
