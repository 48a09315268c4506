import { expect } from "chai";
import { outageReason, StoreUnavailableError } from "./StoreHealth.js";

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("outageReason", () => {
  it("reads an outage of either engine as a log line would", () => {
    expect(outageReason(coded("SQLITE_IOERR_WRITE", "disk I/O error"))).to.equal(
      "SQLITE_IOERR_WRITE: disk I/O error",
    );
    expect(
      outageReason(coded("57P01", "terminating connection due to administrator command")),
    ).to.equal("57P01: terminating connection due to administrator command");
    for (const code of ["08006", "53100", "57P02", "57P03", "58030", "25006", "ECONNRESET"]) {
      expect(outageReason(coded(code, "x")), code).to.equal(`${code}: x`);
    }
    expect(
      outageReason(new Error("Client has encountered a connection error and is not queryable")),
    ).to.equal("Client has encountered a connection error and is not queryable");
    expect(outageReason(new Error("Connection terminated unexpectedly"))).to.equal(
      "Connection terminated unexpectedly",
    );
    expect(outageReason(new Error("timeout exceeded when trying to connect"))).to.equal(
      "timeout exceeded when trying to connect",
    );
    expect(outageReason(new StoreUnavailableError("gone"))).to.equal("gone");
  });

  it("names every address a refused connection tried", () => {
    const refused = Object.assign(
      new AggregateError([
        new Error("connect ECONNREFUSED ::1:5432"),
        new Error("connect ECONNREFUSED 127.0.0.1:5432"),
      ]),
      { code: "ECONNREFUSED" },
    );
    expect(outageReason(refused)).to.equal(
      "ECONNREFUSED: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432",
    );
  });

  it("leaves a request's own failures alone", () => {
    for (const code of ["23505", "42P01", "57014", "40P01", "SQLITE_CONSTRAINT", "ENOENT"]) {
      expect(outageReason(coded(code, "x")), code).to.equal(undefined);
    }
    expect(outageReason(new Error("Cannot use a pool after calling end on the pool"))).to.equal(
      undefined,
    );
    expect(outageReason("a string")).to.equal(undefined);
  });
});
