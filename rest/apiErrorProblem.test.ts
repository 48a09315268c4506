import { expect } from "chai";
import {
  ApiError,
  AuthenticationError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  WebhookInUseError,
  WebhookMirroredError,
  type ErrorCode,
} from "../contract/errors.js";
import { apiErrorProblem } from "./apiErrorProblem.js";

describe("apiErrorProblem", () => {
  it("names the fields of a violation as the REST API does", () => {
    const p = apiErrorProblem(
      new ValidationError([
        { field: "triggers[1].webhookId", description: "is required" },
        { field: "pageToken", description: "is not a token of this list" },
        { field: "timeoutSeconds", description: "is too large" },
      ]),
    );
    expect(p).to.include({ status: 400, title: "Bad Request" });
    expect(p.errors).to.deep.equal([
      { field: "jobDoneTriggerWebhooks[1].webhookId", message: "is required" },
      { field: "continue", message: "is not a token of this list" },
      { field: "timeoutSeconds", message: "is too large" },
    ]);
    const missing = apiErrorProblem(
      new NotFoundError("no webhook w", [{ field: "triggers[0].webhookId", description: "no" }]),
    );
    expect(missing.status).to.equal(404);
    expect(missing.errors[0]?.field).to.equal("jobDoneTriggerWebhooks[0].webhookId");
  });

  it("asks to retry a 503 and to authenticate a 401", () => {
    const down = apiErrorProblem(new UnavailableError("the store is full"));
    expect(down).to.include({
      status: 503,
      detail: "the controlplane is unavailable: the store is full",
    });
    expect(down.headers).to.deep.equal({ "retry-after": "1" });
    const anonymous = apiErrorProblem(new AuthenticationError("no token"));
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers).to.deep.equal({ "www-authenticate": 'Bearer realm="jobhooks"' });
  });

  it("maps every code to the status the gateway has always answered", () => {
    const statuses: Record<ErrorCode, number> = {
      "invalid-argument": 400,
      unauthenticated: 401,
      "permission-denied": 403,
      "not-found": 404,
      "already-exists": 409,
      "failed-precondition": 409,
      "resource-exhausted": 429,
      unavailable: 503,
      "deadline-exceeded": 504,
      internal: 502,
    };
    for (const [code, status] of Object.entries(statuses)) {
      expect(apiErrorProblem(new ApiError(code as ErrorCode, "x")).status, code).to.equal(status);
    }
    expect(apiErrorProblem(new WebhookInUseError("w", ["a"], 1)).status).to.equal(409);
    const mirrored = apiErrorProblem(
      new WebhookMirroredError("w", { kind: "ClusterWebhook", namespace: "", name: "ops" }),
    );
    expect(mirrored).to.include({
      status: 409,
      detail: "webhook w mirrors ClusterWebhook ops: change or delete it with kubectl",
    });
  });
});
