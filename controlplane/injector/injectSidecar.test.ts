import type {
  V1Container,
  V1Pod,
  V1PodSpec,
  V1ResourceRequirements,
} from "@kubernetes/client-node";
import { expect } from "chai";
import jsonpatch from "fast-json-patch";
import { admit, AdmissionInputError, type AdmissionReviewResponse } from "./admit.js";
import { injectSidecar, SIDECAR_NAME, type SidecarConfig } from "./injectSidecar.js";

const CONFIG: SidecarConfig = {
  image: "jobhooks:test",
  controlplane: "jobhooks-controlplane.jobhooks-system.svc:9090",
  audience: "jobhooks",
  probePort: 8182,
  tokenSeconds: 3600,
};

function jobPod(annotations?: Record<string, string>, labels?: Record<string, string>): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: "report-",
      labels: { "batch.kubernetes.io/job-name": "report", ...labels },
      ...(annotations && { annotations }),
    },
    spec: {
      restartPolicy: "Never",
      initContainers: [{ name: "setup", image: "busybox" }],
      containers: [{ name: "work", image: "busybox", command: ["sleep", "1"] }],
      volumes: [{ name: "data", emptyDir: {} }],
    },
  };
}

function review(object: unknown, overrides: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      operation: "CREATE",
      namespace: "batch",
      object,
      ...overrides,
    },
  };
}

function patched(pod: V1Pod, response: AdmissionReviewResponse): V1Pod {
  const ops = JSON.parse(
    Buffer.from(response.response.patch ?? "", "base64").toString(),
  ) as jsonpatch.Operation[];
  return jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
}

describe("injectSidecar", () => {
  const injected = injectSidecar(jobPod({ "jobhooks.dev/inject": "true" }), CONFIG);
  const spec = injected.spec as NonNullable<V1Pod["spec"]>;
  const sidecar = spec.initContainers?.[0] as V1Container;

  it("adds a native sidecar in front of the init containers", () => {
    expect(spec.initContainers?.map((c) => c.name)).to.deep.equal([SIDECAR_NAME, "setup"]);
    expect(sidecar.restartPolicy).to.equal("Always");
    expect(sidecar.image).to.equal("jobhooks:test");
    expect(sidecar.args).to.deep.equal([
      "sidecar",
      "--controlplane=jobhooks-controlplane.jobhooks-system.svc:9090",
      "--token-file=/var/run/secrets/jobhooks/token",
      "--probe-listen=:8182",
    ]);
    expect(spec.containers).to.deep.equal(jobPod().spec?.containers);
  });

  it("gives it the downward-API env", () => {
    const env = (sidecar.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]);
    expect(env).to.deep.equal([
      ["POD_NAME", "metadata.name"],
      ["POD_NAMESPACE", "metadata.namespace"],
      ["JOB_NAME", "metadata.labels['batch.kubernetes.io/job-name']"],
    ]);
  });

  it("gives it a startup probe on /readyz, resources and a locked-down security context", () => {
    expect(sidecar.startupProbe?.httpGet).to.deep.equal({ path: "/readyz", port: 8182 });
    const resources = sidecar.resources as V1ResourceRequirements;
    expect(resources.requests).to.have.keys("cpu", "memory");
    expect(resources.limits).to.have.keys("cpu", "memory");
    expect(sidecar.securityContext).to.include({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
  });

  it("mounts a projected token for audience jobhooks, bound to the pod, for 1 h", () => {
    expect(sidecar.volumeMounts).to.deep.equal([
      { name: "jobhooks-token", mountPath: "/var/run/secrets/jobhooks", readOnly: true },
    ]);
    expect(spec.volumes?.map((v) => v.name)).to.deep.equal(["data", "jobhooks-token"]);
    expect(spec.volumes?.[1]?.projected?.sources).to.deep.equal([
      { serviceAccountToken: { audience: "jobhooks", expirationSeconds: 3600, path: "token" } },
    ]);
  });

  it("leaves its input alone", () => {
    const pod = jobPod({ "jobhooks.dev/inject": "true" });
    const copy = structuredClone(pod);
    injectSidecar(pod, CONFIG);
    expect(pod).to.deep.equal(copy);
  });

  it("changes nothing in a pod that already has the sidecar", () => {
    const once = injectSidecar(jobPod({ "jobhooks.dev/inject": "true" }), CONFIG);
    expect(injectSidecar(once, CONFIG)).to.deep.equal(once);
    expect(injectSidecar(once, { ...CONFIG, image: "jobhooks:other" })).to.deep.equal(once);
  });

  it("adds init containers and volumes to a pod that has none", () => {
    const pod: V1Pod = { metadata: {}, spec: { containers: [{ name: "work" }] } };
    const injected = injectSidecar(pod, CONFIG);
    expect(injected.spec?.initContainers?.map((c) => c.name)).to.deep.equal([SIDECAR_NAME]);
    expect(injected.spec?.volumes?.map((v) => v.name)).to.deep.equal(["jobhooks-token"]);
  });
});

describe("admit (AdmissionReview → patch)", () => {
  it("patches a pod annotated jobhooks.dev/inject: true into the injected pod", () => {
    const pod = jobPod({ "jobhooks.dev/inject": "true" });
    const { review: out, outcome } = admit(review(pod), CONFIG);
    expect(outcome).to.equal("injected");
    expect(out.response).to.include({
      uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
      allowed: true,
      patchType: "JSONPatch",
    });
    expect(patched(pod, out)).to.deep.equal(injectSidecar(pod, CONFIG));
    // Two operations: the sidecar in front of the init containers, the volume after the others.
    const ops = JSON.parse(Buffer.from(out.response.patch ?? "", "base64").toString()) as {
      op: string;
      path: string;
    }[];
    expect(ops.map((o) => `${o.op} ${o.path}`)).to.deep.equal([
      "add /spec/initContainers/0",
      "add /spec/volumes/1",
    ]);
  });

  it("patches a pod labelled jobhooks.dev/inject: true", () => {
    const pod = jobPod(undefined, { "jobhooks.dev/inject": "true" });
    expect(admit(review(pod), CONFIG).outcome).to.equal("injected");
  });

  it("allows without a patch: no opt-in, another value, already injected, not a pod create", () => {
    const injected = injectSidecar(jobPod({ "jobhooks.dev/inject": "true" }), CONFIG);
    const cases: [unknown, string][] = [
      [review(jobPod()), "not-asked"],
      [review(jobPod({ "jobhooks.dev/inject": "false" })), "not-asked"],
      [review(jobPod({ "jobhooks.dev/inject": "yes" })), "not-asked"],
      [review(injected), "already-injected"],
      [
        review(jobPod({ "jobhooks.dev/inject": "true" }), { operation: "UPDATE" }),
        "not-a-pod-create",
      ],
      [
        review(jobPod({ "jobhooks.dev/inject": "true" }), { kind: { group: "", kind: "Service" } }),
        "not-a-pod-create",
      ],
      [review(undefined), "not-a-pod-create"],
    ];
    for (const [input, expected] of cases) {
      const { review: out, outcome } = admit(input, CONFIG);
      expect(outcome).to.equal(expected);
      expect(out.response).to.deep.equal({
        uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
        allowed: true,
      });
    }
  });

  it("refuses a pod that asks for the sidecar but cannot run it, saying why", () => {
    const edited = (
      edit: (spec: V1PodSpec) => void,
      annotations: Record<string, string> = { "jobhooks.dev/inject": "true" },
    ): V1Pod => {
      const pod = jobPod(annotations);
      if (pod.spec) edit(pod.spec);
      return pod;
    };
    const onHost = edited((spec) => (spec.hostNetwork = true));
    const withPort = (port: number): V1Pod =>
      edited((spec) => spec.containers.forEach((c) => (c.ports = [{ containerPort: port }])));
    const cases: [V1Pod, RegExp][] = [
      [onHost, /host's network/],
      [withPort(8181), /container work declares port 8181/],
      [withPort(8182), /container work declares port 8182/],
    ];
    for (const [pod, message] of cases) {
      const { review: out, outcome } = admit(review(pod), CONFIG);
      expect(outcome).to.equal("refused");
      expect(out.response.allowed).to.equal(false);
      expect(out.response.status?.code).to.equal(400);
      expect(out.response.status?.message).to.match(message);
      expect(out.response.patch).to.equal(undefined);
    }
    // Without the opt-in the same pods are none of the injector's business.
    const notAsked = edited((spec) => (spec.hostNetwork = true), {});
    expect(admit(review(notAsked), CONFIG).outcome).to.equal("not-asked");
    expect(admit(review(withPort(9000)), CONFIG).outcome).to.equal("injected");
  });

  it("refuses input that is not an admission.k8s.io/v1 AdmissionReview with a uid", () => {
    const bad: [unknown, RegExp][] = [
      [null, /not an AdmissionReview/],
      ["text", /not an AdmissionReview/],
      [{ kind: "Pod" }, /not an AdmissionReview/],
      [
        { kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1beta1" },
        /v1beta1 is not supported/,
      ],
      [
        { kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1", request: {} },
        /no request.uid/,
      ],
    ];
    for (const [input, message] of bad) {
      expect(() => admit(input, CONFIG)).to.throw(AdmissionInputError, message);
    }
  });
});
