import { expect } from "chai";
import { createLogger } from "../common/pinoLogger.js";
import { controlplaneConfig, OptionError } from "./controlplaneConfig.js";
import type { ControlplaneOptions } from "./options.js";
import { buildProgram } from "./program.js";

const NO_KUBE = {
  server: "https://127.0.0.1:1",
  skipTLSVerify: false,
  tls: () => Promise.resolve({}),
  headers: () => Promise.resolve({}),
};

// The options `jobhooks controlplane ARGS` runs with (its action replaced).
function options(args: string[]): ControlplaneOptions {
  const program = buildProgram().exitOverride();
  let parsed: unknown;
  for (const cmd of program.commands) {
    cmd.exitOverride().action((o: unknown) => {
      parsed = o;
    });
  }
  program.parse(["controlplane", ...args], { from: "user" });
  return parsed as ControlplaneOptions;
}

const config = (args: string[]): ReturnType<typeof controlplaneConfig> =>
  controlplaneConfig(options(args), NO_KUBE, createLogger("silent", "test"));

describe("controlplane flags: --deny-destinations, --allow-destinations", () => {
  it("deny link-local and loopback by default, and allow nothing more", () => {
    const { egress } = config([]);
    expect(egress.denied("169.254.169.254")).to.equal("169.254.169.254 is in --deny-destinations");
    expect(egress.denied("::1")).to.equal("::1 is in --deny-destinations");
    expect(egress.denied("192.0.2.1")).to.equal(undefined);
  });

  it("replace the deny list, and let the allow list win", () => {
    const { egress } = config([
      "--deny-destinations=127.0.0.2/32, 10.0.0.0/8",
      "--allow-destinations=10.1.0.0/16",
    ]);
    expect(egress.denied("127.0.0.2")).to.equal("127.0.0.2 is in --deny-destinations");
    expect(egress.denied("10.2.0.1")).to.equal("10.2.0.1 is in --deny-destinations");
    expect(egress.denied("10.1.0.1")).to.equal(undefined);
    expect(egress.denied("169.254.169.254")).to.equal(undefined);
  });

  it("refuse an entry that is not a CIDR, naming the flag", () => {
    expect(() => config(["--deny-destinations=169.254.0.0/16,metadata"])).to.throw(
      OptionError,
      /^--deny-destinations: "metadata" is not a CIDR/,
    );
    expect(() => config(["--allow-destinations=127.0.0.1/40"])).to.throw(
      OptionError,
      /^--allow-destinations: "127.0.0.1\/40": the prefix length/,
    );
  });
});

describe("controlplane flags: the pod counter's", () => {
  it("set the autoscaler hints by default, the deletion cost only when asked", () => {
    expect(config([]).podCounter).to.deep.equal({
      label: "active-jobs",
      removeOnZero: true,
      allowNegative: false,
      labelSelector: undefined,
      autoscalerHints: true,
      podDeletionCost: false,
      maxBusyMs: 0,
    });
    expect(config(["--autoscaler-hints=false", "--pod-deletion-cost"]).podCounter).to.include({
      autoscalerHints: false,
      podDeletionCost: true,
    });
  });

  it("refuse a --label that is not a label key, or is one of the keys set beside the count", () => {
    expect(() => config(["--label=-x"])).to.throw(OptionError, /--label "-x" is not a valid/);
    for (const key of ["karpenter.sh/do-not-disrupt", "jobhooks.dev/leases"]) {
      expect(() => config([`--label=${key}`])).to.throw(
        OptionError,
        /is a key the pod counter sets beside the count/,
      );
    }
  });

  it("take --max-busy as a duration, off by default, and refuse one that is not", () => {
    expect(config(["--max-busy=6h"]).podCounter.maxBusyMs).to.equal(6 * 3_600_000);
    expect(() => config(["--max-busy=6 hours"])).to.throw(
      OptionError,
      /^--max-busy: invalid duration/,
    );
  });
});
