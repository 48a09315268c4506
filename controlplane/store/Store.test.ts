import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store } from "./Store.js";
import { StoreSpecError } from "./storeSpec.js";

describe("Store.open", () => {
  it("opens, migrates and reopens a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-store-"));
    try {
      Store.open({ kind: "sqlite", path: join(dir, "a", "jobhooks.db") }).close();
      Store.open({ kind: "sqlite", path: join(dir, "a", "jobhooks.db") }).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which path cannot be opened, as bad input", () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-store-"));
    try {
      // A file where the folder should be: as unwritable as a read-only root, even for root.
      writeFileSync(join(dir, "file"), "");
      const path = join(dir, "file", "jobhooks.db");
      expect(() => Store.open({ kind: "sqlite", path })).to.throw(
        StoreSpecError,
        /cannot open the store .*file\/jobhooks.db: .*writable folder/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
