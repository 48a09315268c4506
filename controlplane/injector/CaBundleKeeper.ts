import type * as k8s from "@kubernetes/client-node";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { ListWatch } from "../kube/ListWatch.js";
import { PatchType } from "../kube/sendRequest.js";

const PATH = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
// Waits of 0.5–1 s, 1–2 s, … up to 15–30 s between failed lists, watches and patches.
const BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

type Configuration = k8s.V1MutatingWebhookConfiguration;

export interface CaBundleKeeperOptions {
  api: KubeApi;
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
 * this process's CA. A ListWatch of that one object (the Job watch's machinery) tells it of every
 * version, so a configuration re-created or edited (a fresh install, a restore) is mended within
 * a moment, and one that does not exist yet is filled in when it appears. The latest version
 * seen is mended by one loop, which retries a failed patch with backoff.
 */
export class CaBundleKeeper implements Part {
  readonly name = "ca-bundle";
  private readonly caBundle: string;
  private readonly waker = new Waker();
  private readonly stream: ListWatch<Configuration>;
  /** The newest version seen and not yet mended. */
  private due: Configuration | undefined;

  constructor(private readonly o: CaBundleKeeperOptions) {
    this.caBundle = Buffer.from(o.caPem).toString("base64");
    this.stream = new ListWatch<Configuration>({
      api: o.api,
      path: PATH,
      query: { fieldSelector: `metadata.name=${o.name}` },
      scope: `MutatingWebhookConfiguration ${o.name}`,
      decode: (object) => object as Configuration,
      key: (c) => c.metadata?.name ?? "",
      log: o.log,
      backoff: BACKOFF,
      pageSize: 10,
      sink: {
        upsert: (c) => this.seen(c),
        remove: () => this.absent(),
        relisted: (items) => {
          const [first] = items.values();
          if (first) this.seen(first);
          else this.absent();
        },
        restarting: () => undefined,
        changed: () => undefined,
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.stream.run(signal), this.mendLoop(signal)]);
  }

  private seen(configuration: Configuration): void {
    this.due = configuration;
    this.waker.wake();
  }

  private absent(): void {
    this.due = undefined;
    this.o.onCurrent?.(false);
    this.o.log.warn(
      { configuration: this.o.name },
      "no MutatingWebhookConfiguration of this name yet: pods are not injected until it exists",
    );
  }

  private async mendLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const configuration = this.due;
      if (!configuration) {
        await this.waker.sleep(undefined, signal);
        continue;
      }
      try {
        await this.mend(configuration, signal);
        if (this.due === configuration) this.due = undefined;
        failures = 0;
      } catch (err) {
        await this.retryAfter(err, ++failures, signal);
      }
    }
  }

  // A newer version seen meanwhile (a conflict's cause) ends the wait early.
  private async retryAfter(err: unknown, failures: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const retryIn = backoffDelay(failures, BACKOFF);
    this.o.log.warn(
      { err, configuration: this.o.name, retryIn },
      "cannot keep the webhook configuration's caBundle; retrying",
    );
    await this.waker.sleep(retryIn, signal);
  }

  private async mend(configuration: Configuration, signal: AbortSignal): Promise<void> {
    const stale = (configuration.webhooks ?? []).filter(
      (w) => w.clientConfig.caBundle !== this.caBundle,
    );
    this.o.onCurrent?.(stale.length === 0);
    if (stale.length === 0) return;
    // A strategic merge patch matches webhooks by name: only their caBundle changes. The
    // resourceVersion makes it a precondition: a newer version is mended when it is seen.
    await this.o.api.request({
      method: "PATCH",
      path: `${PATH}/${encodeURIComponent(this.o.name)}`,
      contentType: PatchType.strategicMerge,
      body: {
        metadata: { resourceVersion: configuration.metadata?.resourceVersion },
        webhooks: stale.map((w) => ({ name: w.name, clientConfig: { caBundle: this.caBundle } })),
      },
      signal,
    });
    this.o.onCurrent?.(true);
    this.o.log.info(
      { configuration: this.o.name, webhooks: stale.map((w) => w.name) },
      "webhook caBundle set to this controlplane's CA",
    );
  }
}
