import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { httpListener } from "../../common/httpListener.js";
import type { ListenAddress } from "../../common/listenAddress.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { serveUntil } from "../../common/serveUntil.js";
import { HttpError } from "../../common/HttpError.js";
import { readBody } from "../../common/readBody.js";
import { admit, AdmissionInputError, type AdmissionOutcome } from "./admit.js";
import type { SidecarConfig } from "./injectSidecar.js";
import type { ServingCertificates } from "./ServingCertificates.js";

/** The path the MutatingWebhookConfiguration names. */
export const INJECT_PATH = "/inject";
// An AdmissionReview carries one pod; the apiserver refuses objects over 1.5 MB.
const MAX_REVIEW_BYTES = 4 * 1024 * 1024;

export interface InjectorServerOptions {
  address: ListenAddress;
  certificates: ServingCertificates;
  sidecar: SidecarConfig;
  log: Logger;
  /** Called once per answered review, with how long the decision and reply took. */
  onAdmission?: (outcome: AdmissionOutcome, seconds: number) => void;
}

/**
 * The mutating admission webhook, HTTPS on --webhook-listen: the apiserver POSTs an
 * AdmissionReview for each pod being created and applies the patch it gets back. Certificates
 * that change (a renewed file, say) apply to new connections without a restart.
 */
export class InjectorServer implements Part {
  readonly name = "injector";

  constructor(private readonly o: InjectorServerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { certificates, log } = this.o;
    const server: Server = createServer(
      { ...certificates.current(), minVersion: "TLSv1.2" },
      (req, res) => void this.handle(req, res),
    );
    // The apiserver sends a review at once and gives up after the webhook's timeoutSeconds
    // (at most 30); anyone else on the pod network gets no longer to hold a connection.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    const unsubscribe = certificates.onChange((pair) => {
      server.setSecureContext({ ...pair, minVersion: "TLSv1.2" });
      log.info("serving certificate reloaded");
    });
    try {
      await serveUntil(signal, {
        name: this.name,
        listening: "admission webhook listening",
        fields: { path: INJECT_PATH },
        addresses: [this.o.address],
        create: () => httpListener(server),
        log,
        // Reviews take microseconds; the apiserver retries nothing and gives up at its timeout.
        graceMs: 0,
      });
    } finally {
      unsubscribe();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const path = (req.url ?? "").split("?")[0];
      if (path !== INJECT_PATH) throw new HttpError(404, "Not Found", `no route ${path ?? ""}`);
      if (req.method !== "POST") {
        throw new HttpError(405, "Method Not Allowed", "use POST", { allow: "POST" });
      }
      const body = parseJson(await readBody(req, MAX_REVIEW_BYTES));
      const { review, outcome } = admit(body, this.o.sidecar);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(review));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.o.onAdmission?.(outcome, seconds);
      this.o.log.debug({ outcome, seconds }, "admission review answered");
    } catch (err) {
      this.fail(res, err);
    }
  }

  // Bad input is the caller's; the apiserver applies the webhook's failurePolicy to it.
  private fail(res: ServerResponse, err: unknown): void {
    const problem =
      err instanceof HttpError
        ? err
        : err instanceof AdmissionInputError
          ? new HttpError(400, "Bad Request", err.message)
          : undefined;
    if (!problem) this.o.log.error({ err }, "admission review failed");
    const status = problem?.status ?? 500;
    const message = problem?.message ?? "the injector failed; see its log";
    this.o.log.warn({ status, detail: message }, "admission review refused");
    if (res.headersSent) return;
    res
      .writeHead(status, { "content-type": "text/plain; charset=utf-8", ...problem?.headers })
      .end(`${message}\n`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdmissionInputError("the body is not JSON");
  }
}
