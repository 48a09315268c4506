import * as k8s from "@kubernetes/client-node";
import { backoffDelay } from "../../common/backoff.js";
import type { KubeApi } from "../../common/kubeApi.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";

const PATH = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
// Ask the server to end each watch within minutes; a watch that outlives that is dead.
const WATCH_SECONDS = 300;

export interface CaBundleKeeperOptions {
  api: KubeApi;
  kubeConfig: k8s.KubeConfig;
  /** The MutatingWebhookConfiguration's name (--webhook-configuration). */
  name: string;
  /** The CA, PEM, that every webhook of it must trust. */
  caPem: string;
  log: Logger;
  /** Told whether the configuration trusts the CA, each time that is learned. */
  onCurrent?: (current: boolean) => void;
}

/**
 * --self-signed: keeps the caBundle of every webhook in the MutatingWebhookConfiguration equal to
 * this process's CA. It lists and then watches that one object, so a configuration re-created or
 * edited (a fresh install, a restore) is mended within a moment, and one that does not exist yet
 * is filled in when it appears.
 */
export class CaBundleKeeper implements Part {
  readonly name = "ca-bundle";
  private readonly caBundle: string;
  private readonly admission: k8s.AdmissionregistrationV1Api;
  private readonly waker = new Waker();

  constructor(private readonly o: CaBundleKeeperOptions) {
    this.caBundle = Buffer.from(o.caPem).toString("base64");
    this.admission = o.api.client(k8s.AdmissionregistrationV1Api);
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
        failures = 0;
      } catch (err) {
        failures++;
        const retryIn = backoffDelay(failures, { baseMs: 1000, maxMs: 30_000 });
        this.o.log.warn(
          { err, configuration: this.o.name, retryIn },
          "cannot keep the webhook configuration's caBundle; retrying",
        );
        await this.waker.sleep(retryIn, signal);
      }
    }
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    const fieldSelector = `metadata.name=${this.o.name}`;
    const list = await this.o.api.getJson<{
      metadata: { resourceVersion: string };
      items: k8s.V1MutatingWebhookConfiguration[];
    }>(PATH, { fieldSelector }, signal);
    if (list.items.length === 0) {
      this.o.onCurrent?.(false);
      this.o.log.warn(
        { configuration: this.o.name },
        "no MutatingWebhookConfiguration of this name yet: pods are not injected until it exists",
      );
    }
    for (const item of list.items) await this.mend(item);
    await this.watch(fieldSelector, list.metadata.resourceVersion, signal);
  }

  // Resolves when the watch ends (its timeout, or the signal); rejects on a failure.
  private async watch(
    fieldSelector: string,
    resourceVersion: string,
    signal: AbortSignal,
  ): Promise<void> {
    let mending = Promise.resolve();
    await new Promise<void>((resolve, reject) => {
      const query = { fieldSelector, resourceVersion, timeoutSeconds: WATCH_SECONDS };
      const onEvent = (type: string, object: unknown): void => {
        if (type === "ERROR") reject(new Error(`watch error: ${JSON.stringify(object)}`));
        if (type === "DELETED") this.o.onCurrent?.(false);
        if (type !== "ADDED" && type !== "MODIFIED") return;
        mending = mending.then(() => this.mend(object as k8s.V1MutatingWebhookConfiguration));
        mending.catch(reject);
      };
      const onDone = (err: unknown): void =>
        err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve();
      new k8s.Watch(this.o.kubeConfig).watch(PATH, query, onEvent, onDone).then((request) => {
        signal.addEventListener("abort", () => request.abort(), { once: true });
        if (signal.aborted) request.abort();
      }, reject);
    });
    await mending;
  }

  private async mend(configuration: k8s.V1MutatingWebhookConfiguration): Promise<void> {
    const stale = (configuration.webhooks ?? []).filter(
      (w) => w.clientConfig.caBundle !== this.caBundle,
    );
    this.o.onCurrent?.(stale.length === 0);
    if (stale.length === 0) return;
    // A strategic merge patch matches webhooks by name: only their caBundle changes.
    await this.admission.patchMutatingWebhookConfiguration(
      {
        name: this.o.name,
        body: {
          metadata: { resourceVersion: configuration.metadata?.resourceVersion },
          webhooks: stale.map((w) => ({ name: w.name, clientConfig: { caBundle: this.caBundle } })),
        },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
    this.o.onCurrent?.(true);
    this.o.log.info(
      { configuration: this.o.name, webhooks: stale.map((w) => w.name) },
      "webhook caBundle set to this controlplane's CA",
    );
  }
}
