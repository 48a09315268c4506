import { expect } from "chai";
import { testStoreEngines } from "./storeEngines.js";

describe("testStoreEngines", () => {
  it("tests both engines unless JOBHOOKS_TEST_STORE picks one", () => {
    expect(testStoreEngines({})).to.deep.equal(["sqlite", "postgres"]);
    expect(testStoreEngines({ JOBHOOKS_TEST_STORE: "both" })).to.deep.equal(["sqlite", "postgres"]);
    expect(testStoreEngines({ JOBHOOKS_TEST_STORE: "sqlite" })).to.deep.equal(["sqlite"]);
    expect(testStoreEngines({ JOBHOOKS_TEST_STORE: "postgres" })).to.deep.equal(["postgres"]);
  });

  it("names the allowed values when given another", () => {
    expect(() => testStoreEngines({ JOBHOOKS_TEST_STORE: "Postgres" })).to.throw(
      /sqlite, postgres or both.*"Postgres"/,
    );
  });
});
