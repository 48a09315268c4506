import { expect } from "chai";
import { ListenAddressError } from "../common/listenAddress.js";
import { isLoopback, parseLoopbackListen } from "./loopbackListen.js";

describe("parseLoopbackListen", () => {
  it("reads the default: IPv4 and IPv6 loopback on one port", () => {
    expect(parseLoopbackListen("127.0.0.1:8181,[::1]:8181")).to.deep.equal([
      { host: "127.0.0.1", port: 8181 },
      { host: "::1", port: 8181 },
    ]);
  });

  it("takes one address, spaces around commas and port 0", () => {
    expect(parseLoopbackListen(" 127.0.0.1:0 ")).to.deep.equal([{ host: "127.0.0.1", port: 0 }]);
    expect(parseLoopbackListen("127.0.0.2:1, [::1]:2")).to.have.length(2);
  });

  it("refuses any address outside loopback, naming it", () => {
    for (const bad of [":8181", "0.0.0.0:8181", "10.0.0.5:8181", "[::]:8181", "localhost:8181"]) {
      expect(() => parseLoopbackListen(`127.0.0.1:8181,${bad}`), bad)
        .to.throw(ListenAddressError, "loopback only")
        .with.property("message")
        .that.contains(bad);
    }
  });

  it("refuses what is not a list of HOST:PORT", () => {
    for (const bad of ["", ",", "127.0.0.1", "127.0.0.1:8181;[::1]:8181"]) {
      expect(() => parseLoopbackListen(bad), bad).to.throw(ListenAddressError);
    }
  });
});

describe("isLoopback", () => {
  it("knows 127.0.0.0/8 and ::1 in their spellings, and nothing else", () => {
    for (const yes of ["127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
      expect(isLoopback(yes), yes).to.equal(true);
    }
    for (const no of [undefined, "", "0.0.0.0", "128.0.0.1", "::", "::2", "fe80::1", "localhost"]) {
      expect(isLoopback(no), String(no)).to.equal(false);
    }
  });
});
