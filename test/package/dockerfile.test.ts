import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_FLAGS } from "../../cli/nodeFlags.js";
import { repoRoot } from "../cluster/paths.js";

// No Docker engine runs the tests: these are the Dockerfile's facts that must agree with the
// package (test/package/simulateImage.sh runs its steps).
describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    version: string;
    bin: Record<string, string>;
  };
  const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it("labels the image with package.json's version", () => {
    expect(runtime).to.include(`ARG VERSION=${pkg.version}\n`);
    expect(runtime).to.include('org.opencontainers.image.version="${VERSION}"');
  });

  it("runs the package's bin with jobhooks' node flags, as a numeric non-root user", () => {
    const entrypoint = ["node", ...NODE_FLAGS, `/app/${pkg.bin.jobhooks!}`];
    expect(runtime).to.include(`ENTRYPOINT ${JSON.stringify(entrypoint).replaceAll(",", ", ")}\n`);
    const user = /^USER (\d+):(\d+)$/m.exec(runtime);
    expect(user?.[1]).to.equal("65532");
    expect(user?.[2]).to.equal("65532");
  });

  it("gives the bin's #! line the same flags", () => {
    const bin = readFileSync(join(repoRoot, pkg.bin.jobhooks!), "utf8");
    expect(bin.split("\n")[0]).to.equal(`#!/usr/bin/env -S node ${NODE_FLAGS.join(" ")}`);
  });
});
