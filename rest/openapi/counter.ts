// The pod counter's part of the REST API's document (document.ts).
import { dnsLabel, dnsSubdomain, problems } from "./parts.js";

/** The query of /increment and /decrement. */
export const counterParameters = [
  { name: "pod_name", in: "query", required: true, schema: dnsSubdomain, example: "worker-0" },
  { name: "namespace", in: "query", required: false, schema: dnsLabel },
] as const;

interface CounterOperation {
  operationId: string;
  summary: string;
  description: string;
  parameters: typeof counterParameters;
  responses: Record<string, object>;
}

// pod-webhook-tracker's calls, for pods without a sidecar: the answer is the count, as plain text.
function counterOperation(operationId: string, summary: string): CounterOperation {
  return {
    operationId,
    summary,
    description:
      "With --auth=tokenreview the caller's token must be bound to the pod it names (a pod counts for itself only).",
    parameters: counterParameters,
    responses: {
      "200": {
        description: "the count after this call",
        content: { "text/plain": { schema: { type: "string", pattern: "^-?[0-9]+$" } } },
      },
      ...problems(400, 401, 403, 404, 503),
    },
  };
}

export const counterPaths = {
  "/increment": { post: counterOperation("increment", "Adds one to the pod's counter label") },
  "/decrement": { post: counterOperation("decrement", "Takes one from the pod's counter label") },
} as const;
