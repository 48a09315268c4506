import { expect } from "chai";
import { CidrError, DEFAULT_DENY, EgressPolicy, parseCidr } from "./EgressPolicy.js";

describe("EgressPolicy", () => {
  const defaults = new EgressPolicy(DEFAULT_DENY, []);

  it("reads IPv4 and IPv6 CIDRs, and a bare address as one host", () => {
    expect(parseCidr("10.0.0.0/8")).to.deep.equal({
      address: "10.0.0.0",
      family: "ipv4",
      prefix: 8,
    });
    expect(parseCidr(" fd00::/8 ")).to.deep.equal({ address: "fd00::", family: "ipv6", prefix: 8 });
    expect(parseCidr("192.0.2.7")).to.include({ prefix: 32 });
    expect(parseCidr("2001:db8::1")).to.include({ prefix: 128 });
    expect(parseCidr("0.0.0.0/0")).to.include({ prefix: 0 });
  });

  it("refuses what is not a CIDR, saying why", () => {
    for (const bad of ["", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0/8"]) {
      expect(() => parseCidr(bad), bad).to.throw(CidrError);
    }
    expect(() => parseCidr("example.com/8")).to.throw(/not a CIDR such as 10.0.0.0\/8/);
    expect(() => parseCidr("10.0.0.0/x")).to.throw(
      /prefix length must be a whole number from 0 to 32/,
    );
    expect(() => new EgressPolicy(["169.254.0.0/16", "nope"], [])).to.throw(CidrError);
  });

  it("by default denies link-local (metadata services) and this host's own addresses", () => {
    for (const address of [
      "169.254.169.254",
      "169.254.0.1",
      "fe80::1",
      "fe80::a9fe:a9fe%eth0",
      "127.0.0.1",
      "127.0.0.2",
      "::1",
      "[::1]",
      "0.0.0.0",
      "::",
    ]) {
      expect(defaults.denied(address), address).to.match(/ is in --deny-destinations$/);
    }
    expect(defaults.denied("169.254.169.254")).to.equal(
      "169.254.169.254 is in --deny-destinations",
    );
  });

  it("allows every other address, and says nothing of host names", () => {
    for (const address of ["10.0.0.1", "192.0.2.1", "2001:db8::1", "fd00::1", "169.253.255.255"]) {
      expect(defaults.denied(address), address).to.equal(undefined);
    }
    expect(defaults.denied("metadata.google.internal")).to.equal(undefined);
  });

  it("judges an IPv4-mapped IPv6 address as its IPv4 address, in either spelling", () => {
    for (const mapped of [
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "0:0:0:0:0:ffff:a9fe:a9fe",
    ]) {
      expect(defaults.denied(mapped), mapped).to.equal("169.254.169.254 is in --deny-destinations");
    }
    expect(defaults.denied("::ffff:127.0.0.1")).to.equal("127.0.0.1 is in --deny-destinations");
    expect(defaults.denied("::ffff:10.0.0.1")).to.equal(undefined);
    const allowMapped = new EgressPolicy(DEFAULT_DENY, ["127.0.0.1/32"]);
    expect(allowMapped.denied("::ffff:7f00:1")).to.equal(undefined);
  });

  it("lets the allow list win over the deny list", () => {
    const p = new EgressPolicy(["127.0.0.0/8", "::/0"], ["127.0.0.1/32", "2001:db8::/32"]);
    expect(p.denied("127.0.0.1")).to.equal(undefined);
    expect(p.denied("127.0.0.2")).to.equal("127.0.0.2 is in --deny-destinations");
    expect(p.denied("2001:db8::5")).to.equal(undefined);
    expect(p.denied("2001:db9::5")).to.equal("2001:db9::5 is in --deny-destinations");
    expect(p.denied("10.0.0.1")).to.equal(undefined);
  });

  it("judges a URL by its host when that is an IP address, in any spelling URLs accept", () => {
    const problem = "169.254.169.254 is in --deny-destinations: deliveries may not go there";
    for (const url of [
      "http://169.254.169.254/latest/meta-data",
      "https://169.254.169.254:8443/",
      "http://2852039166/",
      "http://0xa9.0xfe.0xa9.0xfe/",
      "http://[::ffff:169.254.169.254]/",
    ]) {
      expect(defaults.urlProblem(url), url).to.equal(problem);
    }
    expect(defaults.urlProblem("http://[fe80::1]:8080/")).to.equal(
      "fe80::1 is in --deny-destinations: deliveries may not go there",
    );
    expect(defaults.urlProblem("http://metadata.internal/")).to.equal(undefined);
    expect(defaults.urlProblem("https://192.0.2.1/hook")).to.equal(undefined);
    expect(defaults.urlProblem("not a url")).to.equal(undefined);
  });
});
