import { expect } from "chai";
import { envName, flag } from "./flag.js";

describe("flag", () => {
  it("derives JOBHOOKS_<FLAG> from the long name", () => {
    expect(envName("--grpc-listen")).to.equal("JOBHOOKS_GRPC_LISTEN");
    expect(envName("--kubeconfig")).to.equal("JOBHOOKS_KUBECONFIG");
    expect(flag("--label-selector <selector>", "d").envVar).to.equal("JOBHOOKS_LABEL_SELECTOR");
  });

  it("keeps the default it is given", () => {
    expect(flag("--listen <address>", "d", ":8080").defaultValue).to.equal(":8080");
  });
});
