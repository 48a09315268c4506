import { expect } from "chai";
import { parseStoreSpec, redactUrl, StoreSpecError } from "./storeSpec.js";

describe("parseStoreSpec", () => {
  it("takes a SQLite path or :memory:", () => {
    expect(parseStoreSpec("sqlite:/var/lib/jobhooks/jobhooks.db")).to.deep.equal({
      kind: "sqlite",
      path: "/var/lib/jobhooks/jobhooks.db",
    });
    expect(parseStoreSpec(" sqlite::memory: ")).to.deep.equal({ kind: "sqlite", path: ":memory:" });
  });

  it("takes postgres:// and postgresql:// URLs as given, TLS parameters and all", () => {
    const url =
      "postgresql://jobhooks@db.example:5432/jobhooks?sslmode=verify-full&sslrootcert=/ca.pem";
    expect(parseStoreSpec(url)).to.deep.equal({ kind: "postgres", url });
    expect(parseStoreSpec("postgres://db/jobhooks")).to.deep.equal({
      kind: "postgres",
      url: "postgres://db/jobhooks",
    });
  });

  it("names both forms when given neither, and never repeats a password", () => {
    expect(() => parseStoreSpec("mysql://u:hunter2@db/x"))
      .to.throw(StoreSpecError, /sqlite:PATH .* a PostgreSQL URL \(postgres:\/\//)
      .with.property("message")
      .that.does.not.include("hunter2");
    expect(() => parseStoreSpec("postgres://u:hunter2@[bad/x")).to.throw(
      StoreSpecError,
      /invalid store URL "postgres:\/\/u:\*\*\*@\[bad\/x"/,
    );
  });

  it("redacts only the password of a URL", () => {
    expect(redactUrl("postgres://u:p%40ss@db:5432/x?sslmode=require")).to.equal(
      "postgres://u:***@db:5432/x?sslmode=require",
    );
    expect(redactUrl("postgres://u@db/x")).to.equal("postgres://u@db/x");
  });
});
