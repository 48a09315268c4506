// npm run bench:payload: what shaping a delivery costs, per delivery, against the JSON event of a
// webhook without payload options (buildDeliveries, the same Job and watcher for every kind).
// Rendered in-process: the decision that writes a Job's deliveries renders them synchronously.
import { join } from "node:path";
import {
  Outcome,
  type Watcher,
  type Webhook,
  type WebhookOptions,
} from "../controlplane/watchers/model.js";
import { buildDeliveries } from "../controlplane/watchers/buildDeliveries.js";
import { manifestsDir, readObjects } from "../test/support/manifests.js";
import { failedJob } from "../test/support/payloadFixtures.js";
import { spec, watcher } from "../test/support/watcherFixtures.js";

const ROUNDS = 5;
const PER_ROUND = 20_000;

function chatTemplate(): string {
  const [chat] = readObjects(join(manifestsDir, "examples", "cluster-webhook-chat.yaml"));
  return (chat as unknown as { spec: { body: string } }).spec.body;
}

function hook(options?: WebhookOptions): Webhook {
  return {
    id: "w1",
    url: "http://127.0.0.1:9/hook",
    requestBody: undefined,
    description: "",
    secret: undefined,
    createdAt: new Date(0),
    ...(options && { options }),
  };
}

// µs per delivery, the best of ROUNDS rounds (the least disturbed by the machine's noise).
function measure(webhook: Webhook, w: Watcher): number {
  const context = {
    job: failedJob(),
    outcome: Outcome.FAILED,
    at: new Date(),
    now: new Date(),
    defaultTimeoutMs: 60_000,
  };
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    for (let i = 0; i < PER_ROUND; i++) buildDeliveries(w, () => webhook, context);
    best = Math.min(best, ((performance.now() - started) * 1000) / PER_ROUND);
  }
  return best;
}

function main(): void {
  const w = watcher("watcher-1", spec({ triggers: [{ webhookId: "w1", timeoutSeconds: 0 }] }));
  const kinds: [string, Webhook][] = [
    ["JSON event (no options)", hook()],
    ["chat template (examples/cluster-webhook-chat.yaml)", hook({ bodyTemplate: chatTemplate() })],
    ["templated header", hook({ headers: { "X-Job": "{{ job.namespace }}/{{ job.name }}" } })],
    ["CloudEvents, binary", hook({ cloudEvents: { mode: "Binary" } })],
    [
      "CloudEvents, structured, chat template",
      hook({ bodyTemplate: chatTemplate(), cloudEvents: { mode: "Structured" } }),
    ],
  ];
  const baseline = measure(hook(), w);
  process.stdout.write(`payload: µs per delivery, best of ${ROUNDS} × ${PER_ROUND}\n`);
  for (const [name, webhook] of kinds) {
    const us = measure(webhook, w);
    process.stdout.write(
      `  ${name.padEnd(52)} ${us.toFixed(1).padStart(7)} µs  ${(us / baseline).toFixed(2)}× the JSON event\n`,
    );
  }
}

main();
