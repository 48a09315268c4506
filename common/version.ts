import { readFileSync } from "node:fs";
import { packageFile } from "./packageFile.js";

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as {
      name?: string;
      version?: string;
    };
    if (pkg.name === "jobhooks" && pkg.version) return pkg.version;
  } catch {
    // said below
  }
  return "unknown";
}

/** The version in package.json. */
export const VERSION: string = readVersion();
