import { Outcome } from "../watchers/model.js";

/** The annotations a Job, a CronJob's jobTemplate or a CronJob names its webhooks with. */
export const ANNOTATIONS = {
  /** Comma-separated names of Webhooks in the Job's namespace. */
  webhooks: "jobhooks.dev/webhooks",
  /** Comma-separated names of ClusterWebhooks. */
  clusterWebhooks: "jobhooks.dev/cluster-webhooks",
  /** Comma-separated outcomes among succeeded, failed, deleted; default succeeded. */
  notifyOn: "jobhooks.dev/notify-on",
} as const;

/** What a Job's annotations ask for. */
export interface AnnotatedRequest {
  webhooks: string[];
  clusterWebhooks: string[];
  notifyOn: Outcome[];
  /** What could not be understood, for a Warning Event; the rest is used. */
  problems: string[];
}

const OUTCOMES: Record<string, Outcome> = {
  succeeded: Outcome.SUCCEEDED,
  failed: Outcome.FAILED,
  deleted: Outcome.DELETED,
};

/** Whether any of the annotations is there: the object asks to be watched. */
export function namesWebhooks(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return (
    annotations?.[ANNOTATIONS.webhooks] !== undefined ||
    annotations?.[ANNOTATIONS.clusterWebhooks] !== undefined
  );
}

/** The request the annotations make; undefined when they name no webhook. Pure. */
export function annotatedRequest(
  annotations: Readonly<Record<string, string>> | undefined,
): AnnotatedRequest | undefined {
  if (!annotations || !namesWebhooks(annotations)) return undefined;
  const problems: string[] = [];
  const webhooks = names(annotations[ANNOTATIONS.webhooks]);
  const clusterWebhooks = names(annotations[ANNOTATIONS.clusterWebhooks]);
  for (const n of webhooks.filter((n) => n.includes("/"))) {
    problems.push(
      `${ANNOTATIONS.webhooks}: "${n}": a Job uses the Webhooks of its own namespace only`,
    );
  }
  const notifyOn: Outcome[] = [];
  for (const word of names(annotations[ANNOTATIONS.notifyOn])) {
    const outcome = OUTCOMES[word.toLowerCase()];
    if (!outcome) {
      problems.push(`${ANNOTATIONS.notifyOn}: "${word}" is none of succeeded, failed, deleted`);
    } else if (!notifyOn.includes(outcome)) {
      notifyOn.push(outcome);
    }
  }
  return {
    webhooks: webhooks.filter((n) => !n.includes("/")),
    clusterWebhooks,
    notifyOn: notifyOn.length > 0 ? notifyOn : [Outcome.SUCCEEDED],
    problems,
  };
}

/** The jobhooks.dev annotations only: what a cache of CronJobs keeps. */
export function ownAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([k]) => k.startsWith("jobhooks.dev/")),
  );
}

// "a, b,,c " → ["a", "b", "c"], each name once.
function names(value: string | undefined): string[] {
  const all = (value ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  return [...new Set(all)];
}
