import { expect } from "chai";
import { WatcherStatus } from "../gen/jobhooks/v1/watchers.js";
import { enumCodec } from "./enumCodec.js";

describe("enumCodec", () => {
  const status = enumCodec(WatcherStatus);

  it("maps values to their unprefixed names and back", () => {
    expect(status.name(WatcherStatus.PARTIALLY_COMPLETED)).to.equal("PARTIALLY_COMPLETED");
    expect(status.value("TIMEOUT")).to.equal(WatcherStatus.TIMEOUT);
  });

  it("knows no UNSPECIFIED, UNRECOGNIZED or made-up names", () => {
    expect(status.name(WatcherStatus.UNSPECIFIED)).to.equal(undefined);
    expect(status.value("UNRECOGNIZED")).to.equal(undefined);
    expect(status.value("pending")).to.equal(undefined);
  });
});
