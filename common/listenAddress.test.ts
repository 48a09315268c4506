import { expect } from "chai";
import { formatListenAddress, parseListenAddress } from "./listenAddress.js";

describe("parseListenAddress", () => {
  it("reads every interface, one IPv4 host, a name and a bracketed IPv6 host", () => {
    expect(parseListenAddress(":8080")).to.deep.equal({ host: undefined, port: 8080 });
    expect(parseListenAddress("127.0.0.1:8181")).to.deep.equal({ host: "127.0.0.1", port: 8181 });
    expect(parseListenAddress("localhost:0")).to.deep.equal({ host: "localhost", port: 0 });
    expect(parseListenAddress("[::1]:8181")).to.deep.equal({ host: "::1", port: 8181 });
  });

  it("refuses what is not HOST:PORT with a message naming the value", () => {
    for (const bad of ["8080", "::1:8181", "host:", "host:65536", "host:port", "[::1]", ""]) {
      expect(() => parseListenAddress(bad), bad).to.throw(`invalid listen address "${bad}"`);
    }
  });

  it("formats back to the same text", () => {
    for (const text of [":9091", "127.0.0.1:8181", "[::1]:8181"]) {
      expect(formatListenAddress(parseListenAddress(text))).to.equal(text);
    }
  });
});
