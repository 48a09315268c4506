import type { JobEvent } from "../jobevents/deliveryEvent.js";
import type { Webhook, WebhookSource } from "../watchers/model.js";
import { GROUP, VERSION } from "./webhookObject.js";

/** A Webhook or ClusterWebhook object's Disabled condition: whether its webhook is disabled. */
export interface DisabledCondition {
  type: "Disabled";
  status: "True" | "False";
  reason: "FailingTooLong" | "Enabled";
  message: string;
  lastTransitionTime: string;
}

/** What an object's status says of its webhook's health. */
export interface HealthStatus {
  /** null: absent (a merge patch removes the field). */
  disabledAt: string | null;
  failingSince: string | null;
  condition: DisabledCondition;
}

/**
 * The health part of a mirrored webhook's object status: Disabled True (FailingTooLong, saying
 * since when it fails and how to enable it) while the webhook is disabled, else False. The
 * transition time stays `previous`'s while the status stays the same.
 */
export function healthStatus(
  w: Pick<Webhook, "id" | "disabledAt" | "failingSince">,
  previous: DisabledCondition | undefined,
  now: Date,
): HealthStatus {
  const disabledAt = iso(w.disabledAt);
  const failingSince = iso(w.failingSince);
  const status = disabledAt === null ? "False" : "True";
  const lastTransitionTime =
    previous?.status === status ? previous.lastTransitionTime : now.toISOString();
  const condition: DisabledCondition =
    disabledAt === null
      ? {
          type: "Disabled",
          status,
          reason: "Enabled",
          message: "deliveries go out",
          lastTransitionTime,
        }
      : {
          type: "Disabled",
          status,
          reason: "FailingTooLong",
          message: `failing since ${failingSince ?? "?"} without a success, disabled at ${disabledAt}: its deliveries wait until it is enabled (POST /webhooks/${w.id}/enable)`,
          lastTransitionTime,
        };
  return { disabledAt, failingSince, condition };
}

function iso(d: Date | undefined): string | null {
  return d ? d.toISOString() : null;
}

/**
 * The Event on a mirrored webhook's object when the webhook is disabled (Warning
 * WebhookDisabled) or enabled again (Normal WebhookEnabled). A ClusterWebhook's is written in
 * namespace default, as Kubernetes keeps Events about cluster-scoped objects.
 */
export function webhookObjectEvent(
  source: WebhookSource,
  o: { webhookId: string; uid: string | undefined; disabled: boolean },
): JobEvent {
  const namespace = source.namespace === "" ? "default" : source.namespace;
  return {
    job: { namespace, name: source.name, uid: o.uid ?? "" },
    regarding: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: source.kind,
      ...(source.namespace !== "" && { namespace: source.namespace }),
      name: source.name,
      ...(o.uid !== undefined && { uid: o.uid }),
    },
    type: o.disabled ? "Warning" : "Normal",
    reason: o.disabled ? "WebhookDisabled" : "WebhookEnabled",
    note: o.disabled
      ? `webhook ${o.webhookId} disabled after failing without a success for --disable-after; its deliveries wait until it is enabled (POST /webhooks/${o.webhookId}/enable)`
      : `webhook ${o.webhookId} enabled: its deliveries that waited go out`,
  };
}
