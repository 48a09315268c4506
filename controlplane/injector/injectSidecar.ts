import type { V1Container, V1Pod, V1Volume } from "@kubernetes/client-node";

/** A pod opts in with this annotation (or label) set to "true". */
export const INJECT_KEY = "jobhooks.dev/inject";
/** The injected container's name; a pod that has one is already injected. */
export const SIDECAR_NAME = "jobhooks-sidecar";
const TOKEN_VOLUME = "jobhooks-token";
/** The sidecar's default --token-file is TOKEN_DIR/token. */
const TOKEN_DIR = "/var/run/secrets/jobhooks";

/** What every injected sidecar gets; the controlplane's injector flags. */
export interface SidecarConfig {
  image: string;
  /** HOST:PORT of the controlplane's gRPC API, as seen from the pod. */
  controlplane: string;
  /** The projected token's audience; the controlplane's first --token-audiences. */
  audience: string;
  /** Port of the sidecar's probe listener on the pod IP (kubelet cannot probe loopback). */
  probePort: number;
  /** The projected token's lifetime; kubelet renews it at 80 %. */
  tokenSeconds: number;
}

/** Whether the pod asks for the sidecar: annotation or label `jobhooks.dev/inject: "true"`. */
export function wantsInjection(pod: V1Pod): boolean {
  return (
    pod.metadata?.annotations?.[INJECT_KEY] === "true" ||
    pod.metadata?.labels?.[INJECT_KEY] === "true"
  );
}

/** The sidecar's API port on the pod's loopback (its default --listen). */
export const SIDECAR_PORT = 8181;

/**
 * Why the sidecar cannot go into this pod, or undefined when it can. On the host's network its
 * loopback API would be open to every process of the node, in this pod's name; and a port the
 * pod's containers declare would keep it from starting, and the pod with it.
 */
export function injectionProblem(pod: V1Pod, c: SidecarConfig): string | undefined {
  if (pod.spec?.hostNetwork) {
    return `the jobhooks sidecar cannot go into a pod on the host's network (hostNetwork: true): its localhost API would be the node's`;
  }
  return portProblem(pod, c.probePort);
}

// A container of the pod's own that declares one of the sidecar's ports.
function portProblem(pod: V1Pod, probePort: number): string | undefined {
  const ours = new Set([SIDECAR_PORT, probePort]);
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const container of containers.filter((x) => x.name !== SIDECAR_NAME)) {
    const taken = (container.ports ?? []).find((p) => ours.has(p.containerPort));
    if (taken) {
      return `container ${container.name} declares port ${taken.containerPort}, which the jobhooks sidecar listens on (API ${SIDECAR_PORT}, probes ${probePort})`;
    }
  }
  return undefined;
}

/**
 * The pod with the sidecar added, as a native sidecar (an init container with restartPolicy
 * Always: it starts before the other init containers and never keeps a Job from completing).
 * `pod` itself is not changed; a pod that already has the sidecar comes back equal.
 */
export function injectSidecar(pod: V1Pod, c: SidecarConfig): V1Pod {
  if (!pod.spec || pod.spec.initContainers?.some((x) => x.name === SIDECAR_NAME)) return pod;
  const injected = structuredClone(pod);
  const spec = injected.spec as NonNullable<V1Pod["spec"]>;
  // First, so init containers after it can already use it.
  spec.initContainers = [sidecarContainer(c), ...(spec.initContainers ?? [])];
  spec.volumes = [...(spec.volumes ?? []), tokenVolume(c)];
  return injected;
}

function sidecarContainer(c: SidecarConfig): V1Container {
  const fieldEnv = (name: string, fieldPath: string): NonNullable<V1Container["env"]>[number] => ({
    name,
    valueFrom: { fieldRef: { fieldPath } },
  });
  return {
    name: SIDECAR_NAME,
    image: c.image,
    imagePullPolicy: "IfNotPresent",
    restartPolicy: "Always",
    args: [
      "sidecar",
      `--controlplane=${c.controlplane}`,
      `--token-file=${TOKEN_DIR}/token`,
      `--probe-listen=:${c.probePort}`,
    ],
    env: [
      fieldEnv("POD_NAME", "metadata.name"),
      fieldEnv("POD_NAMESPACE", "metadata.namespace"),
      fieldEnv("JOB_NAME", "metadata.labels['batch.kubernetes.io/job-name']"),
    ],
    // The workload's containers start once this passes: the sidecar reads its token and the
    // controlplane answers. Two minutes, then kubelet restarts the sidecar and tries again.
    startupProbe: {
      httpGet: { path: "/readyz", port: c.probePort },
      periodSeconds: 1,
      failureThreshold: 120,
      timeoutSeconds: 2,
    },
    livenessProbe: {
      httpGet: { path: "/healthz", port: c.probePort },
      periodSeconds: 10,
      failureThreshold: 3,
      timeoutSeconds: 2,
    },
    // Idle RSS is about 49 MiB (npm run bench:sidecar); requests are small and rare.
    resources: {
      requests: { cpu: "10m", memory: "80Mi" },
      limits: { cpu: "500m", memory: "160Mi" },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [{ name: TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true }],
  };
}

// Bound to the pod (the controlplane reads pod name and UID from it) and for jobhooks only, so
// it is worth nothing against the apiserver.
function tokenVolume(c: SidecarConfig): V1Volume {
  return {
    name: TOKEN_VOLUME,
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: c.audience,
            expirationSeconds: c.tokenSeconds,
            path: "token",
          },
        },
      ],
    },
  };
}
