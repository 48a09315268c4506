import { expect } from "chai";
import { INJECTOR_DEFAULTS, injectorConfig, type InjectorOptions } from "./injectorOptions.js";

const fail = (message: string): Error => new RangeError(message);
const config = (o: Partial<InjectorOptions>): ReturnType<typeof injectorConfig> =>
  injectorConfig({ ...INJECTOR_DEFAULTS, ...o }, "jobhooks", fail);

describe("injector flags", () => {
  it("leave the injector off without a certificate", () => {
    expect(config({})).to.equal(undefined);
  });

  it("take certificate files, or --self-signed with the hosts it names", () => {
    expect(config({ tlsCertFile: "c.pem", tlsKeyFile: "k.pem" })?.tls).to.deep.equal({
      kind: "files",
      certFile: "c.pem",
      keyFile: "k.pem",
    });
    const selfSigned = config({ selfSigned: true, webhookHosts: "a.svc, 127.0.0.1" });
    expect(selfSigned?.tls).to.deep.equal({
      kind: "self-signed",
      hosts: ["a.svc", "127.0.0.1"],
      configuration: "jobhooks",
    });
    expect(selfSigned?.sidecar).to.deep.include({
      audience: "jobhooks",
      probePort: 8182,
      tokenSeconds: 3600,
      controlplane: "jobhooks-controlplane.jobhooks-system.svc:9090",
    });
  });

  it("keep the CA in the Secret --self-signed-ca-secret names: NAMESPACE/NAME, or NAME in POD_NAMESPACE", () => {
    const tls = (secret: string): unknown =>
      config({ selfSigned: true, webhookHosts: "a.svc", selfSignedCaSecret: secret })?.tls;
    expect(tls("jobhooks-system/ca")).to.deep.include({
      caSecret: { namespace: "jobhooks-system", name: "ca" },
    });
    const saved = process.env.POD_NAMESPACE;
    try {
      process.env.POD_NAMESPACE = "team-a";
      expect(tls("ca")).to.deep.include({ caSecret: { namespace: "team-a", name: "ca" } });
      delete process.env.POD_NAMESPACE;
      expect(() => tls("ca")).to.throw(RangeError, /NAME \(with POD_NAMESPACE set\)/);
      expect(() => tls("a/b/c")).to.throw(RangeError, /--self-signed-ca-secret "a\/b\/c"/);
      expect(() => tls("ns/Bad_Name")).to.throw(RangeError, /NAMESPACE\/NAME/);
    } finally {
      if (saved === undefined) delete process.env.POD_NAMESPACE;
      else process.env.POD_NAMESPACE = saved;
    }
  });

  it("refuse half a pair, both kinds, --self-signed without hosts, a bad port or address", () => {
    const bad: [Partial<InjectorOptions>, RegExp][] = [
      [{ tlsCertFile: "c.pem" }, /go together/],
      [{ tlsKeyFile: "k.pem" }, /go together/],
      [{ tlsCertFile: "c.pem", tlsKeyFile: "k.pem", selfSigned: true }, /not both/],
      [{ selfSigned: true }, /needs --webhook-hosts/],
      [{ selfSigned: true, webhookHosts: " , " }, /needs --webhook-hosts/],
      [{ selfSigned: true, webhookHosts: "a", sidecarProbePort: "0" }, /--sidecar-probe-port/],
      [{ selfSigned: true, webhookHosts: "a", sidecarProbePort: "x" }, /--sidecar-probe-port/],
      [{ selfSigned: true, webhookHosts: "a", sidecarControlplane: "cp" }, /not HOST:PORT/],
    ];
    for (const [o, message] of bad)
      expect(() => config(o), JSON.stringify(o)).to.throw(RangeError, message);
    expect(
      config({ selfSigned: true, webhookHosts: "a", sidecarControlplane: "[::1]:9090" }),
    ).to.not.equal(undefined);
  });
});
