import { expect } from "chai";
import { ServerError, Status } from "nice-grpc";
import {
  RichServerError,
  type BadRequest,
  type PreconditionFailure,
} from "nice-grpc-error-details";
import { createLogger } from "../../common/pinoLogger.js";
import {
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
  ValidationError,
  WebhookInUseError,
  WebhookMirroredError,
} from "../../contract/errors.js";
import { toServerError } from "./errorMapping.js";

const log = createLogger("silent", "test");

// The detail of the error that carries `key` (fieldViolations, violations).
function detail(err: ServerError, key: "fieldViolations"): BadRequest | undefined;
function detail(err: ServerError, key: "violations"): PreconditionFailure | undefined;
function detail(err: ServerError, key: string): unknown {
  const extra: unknown[] = err instanceof RichServerError ? err.extra : [];
  return extra.find((d) => typeof d === "object" && d !== null && key in d);
}

describe("toServerError", () => {
  it("names a domain error's fields as the proto does, in its details and its message", () => {
    const err = toServerError(
      new ValidationError([
        { field: "triggers[0].webhookId", description: "is required" },
        { field: "notifyOn[1]", description: "must be one of SUCCEEDED, FAILED, DELETED" },
      ]),
      "/m",
      log,
    );
    expect(err.code).to.equal(Status.INVALID_ARGUMENT);
    expect(err.details).to.equal(
      "triggers[0].webhook_id: is required; notify_on[1]: must be one of SUCCEEDED, FAILED, DELETED",
    );
    const badRequest = detail(err, "fieldViolations");
    expect(badRequest?.fieldViolations.map((v) => v.field)).to.deep.equal([
      "triggers[0].webhook_id",
      "notify_on[1]",
    ]);
    const missing = toServerError(
      new NotFoundError("no webhook x", [{ field: "triggers[2].webhookId", description: "no" }]),
      "/m",
      log,
    );
    expect(missing.code).to.equal(Status.NOT_FOUND);
    expect(missing.details).to.equal("no webhook x");
    expect(detail(missing, "fieldViolations")?.fieldViolations[0]?.field).to.equal(
      "triggers[2].webhook_id",
    );
  });

  it("carries preconditions, maps each code by the one table, and hides what was unexpected", () => {
    const inUse = toServerError(new WebhookInUseError("h", ["w1", "w2"], 3), "/m", log);
    expect(inUse.code).to.equal(Status.FAILED_PRECONDITION);
    const failure = detail(inUse, "violations");
    expect(failure?.violations.map((v) => v.subject)).to.deep.equal([
      "jobdonewatchers/w1",
      "jobdonewatchers/w2",
    ]);
    const down = toServerError(new UnavailableError("store full"), "/m", log);
    expect(down).to.not.be.instanceOf(RichServerError);
    expect(down.code).to.equal(Status.UNAVAILABLE);
    const internal = toServerError(new Error("secret detail"), "/m", log);
    expect(internal.code).to.equal(Status.INTERNAL);
    expect(internal.details).to.not.contain("secret");
  });

  it("refuses to delete a mirrored webhook as FAILED_PRECONDITION naming its object, and a forbidden ClusterWebhook as PERMISSION_DENIED naming the field", () => {
    const source = { kind: "Webhook" as const, namespace: "team", name: "chat" };
    const mirrored = toServerError(new WebhookMirroredError("h", source), "/m", log);
    expect(mirrored.code).to.equal(Status.FAILED_PRECONDITION);
    expect(mirrored.details).to.equal(
      "webhook h mirrors Webhook team/chat: change or delete it with kubectl",
    );
    expect(detail(mirrored, "violations")?.violations[0]).to.include({
      type: "WEBHOOK_MIRRORED",
      subject: "namespaces/team/webhooks.jobhooks.dev/chat",
    });
    const forbidden = toServerError(
      new PermissionDeniedError("ClusterWebhook ops serves only …", [
        {
          field: "triggers[0].clusterWebhookName",
          description: "ClusterWebhook ops serves only …",
        },
      ]),
      "/m",
      log,
    );
    expect(forbidden.code).to.equal(Status.PERMISSION_DENIED);
    expect(detail(forbidden, "fieldViolations")?.fieldViolations[0]?.field).to.equal(
      "triggers[0].cluster_webhook_name",
    );
  });
});
