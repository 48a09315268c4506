import { join } from "node:path";
import type { ClusterCredentials } from "./credentials.js";
import { clusterSourceDir } from "./paths.js";

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** Annotation kwok's --manage-nodes-with-annotation-selector matches; our nodes carry it. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

export function etcdArgs(dataDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=jobhooks-test",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=jobhooks-test=${peer}`,
    // A throwaway cluster: durability is not worth an fsync per write.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

export function apiserverArgs(dir: string, ports: Ports, creds: ClusterCredentials): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${join(dir, "apiserver-certs")}`,
    `--tls-cert-file=${creds.files.servingCert}`,
    `--tls-private-key-file=${creds.files.servingKey}`,
    `--client-ca-file=${creds.files.caCert}`,
    // With no default route the apiserver cannot pick an address to advertise; this one is a
    // documentation address (TEST-NET-2), never dialled, because the endpoint reconciler is off.
    "--advertise-address=198.51.100.1",
    "--endpoint-reconciler-type=none",
    "--authorization-mode=RBAC",
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${creds.files.serviceAccountPub}`,
    `--service-account-signing-key-file=${creds.files.serviceAccountKey}`,
    "--service-cluster-ip-range=10.96.0.0/16",
    "--profiling=false",
  ];
}

export function controllerManagerArgs(kubeconfig: string, creds: ClusterCredentials): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    // Every default controller, node-lifecycle among them: it lifts the not-ready taint from
    // kwok's nodes once they report Ready.
    "--controllers=*",
    `--root-ca-file=${creds.files.caCert}`,
    `--service-account-private-key-file=${creds.files.serviceAccountKey}`,
    // Client-side throttling (20 QPS by default) would make hundreds of Jobs crawl; a test
    // cluster has no other tenants to protect.
    "--kube-api-qps=500",
    "--kube-api-burst=1000",
    "--concurrent-job-syncs=50",
    "--profiling=false",
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    "--kube-api-qps=500",
    "--kube-api-burst=1000",
  ];
}

export function kwokArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    `--config=${join(clusterSourceDir, "stages", "node.yaml")}`,
    `--config=${join(clusterSourceDir, "stages", "pod.yaml")}`,
    "--server-address=",
  ];
}
