import { expect } from "chai";
import { acceptsPlainText } from "./acceptsPlainText.js";

describe("acceptsPlainText", () => {
  it("answers text for text/plain preferred over JSON", () => {
    for (const accept of [
      "text/plain",
      "TEXT/PLAIN; charset=utf-8",
      "text/*",
      "text/plain, application/json;q=0.5",
      "application/json;q=0.1, text/plain;q=0.2",
      "text/plain, */*;q=0.1",
    ]) {
      expect(acceptsPlainText(accept), accept).to.equal(true);
    }
  });

  it("answers JSON without a header, for */*, for JSON and on a tie", () => {
    for (const accept of [
      undefined,
      "",
      "*/*",
      "application/json",
      "application/*",
      "text/plain, application/json",
      "text/plain;q=0.5, application/json",
      "text/plain;q=0, */*",
      "text/html",
      "text/plain;q=abc",
    ]) {
      expect(acceptsPlainText(accept), String(accept)).to.equal(false);
    }
  });
});
