import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallOptions, JobhooksApi } from "../contract/JobhooksApi.js";
import { LIMITS } from "../contract/limits.js";
import {
  deliveryAttemptJson,
  watcherFilter,
  watcherJson,
  watcherRequest,
  webhookInput,
  webhookJson,
} from "../rest/convert.js";
import { idempotencyKey } from "../rest/idempotencyKey.js";
import { badRequest } from "../rest/Problem.js";
import { sendList } from "../rest/paging.js";
import { sendJson } from "../rest/respond.js";
import { check, checkQuery, validators } from "../rest/validators.js";
import { counterRoutes } from "./counterRoutes.js";

/** One request as a route sees it: its body (read before routing), query and path parameters. */
export interface GatewayRequest {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  query: Record<string, unknown>;
  params: Record<string, string>;
}

export type GatewayHandler = (r: GatewayRequest) => Promise<void>;

export const auth = (r: GatewayRequest): CallOptions => ({
  authorization: r.req.headers.authorization,
});

export function pathId(r: GatewayRequest, name = "id"): string {
  const value = r.params[name];
  if (value !== undefined && validators.pathId(value)) return value;
  const rule = `must be 1 to ${LIMITS.idLength} characters`;
  throw badRequest(`${name} ${rule}`, [{ field: name, message: rule }]);
}

function webhookRoutes(api: JobhooksApi): Record<string, GatewayHandler> {
  return {
    createWebhook: async (r) => {
      checkQuery(validators.noQuery, r.query);
      const body = check(validators.webhookCreate, r.body, "the request body");
      sendJson(r.res, 201, webhookJson(await api.webhooks.create(auth(r), webhookInput(body))));
    },
    listWebhooks: async (r) => {
      const query = checkQuery(validators.webhookQuery, r.query, ["limit"]);
      await sendList(r.res, {
        query,
        sentQuery: r.query,
        fetchPage: (page) => api.webhooks.list(auth(r), page),
        toJson: webhookJson,
      });
    },
    getWebhook: async (r) => {
      checkQuery(validators.noQuery, r.query);
      sendJson(r.res, 200, webhookJson(await api.webhooks.get(auth(r), pathId(r))));
    },
    deleteWebhook: async (r) => {
      checkQuery(validators.noQuery, r.query);
      await api.webhooks.delete(auth(r), pathId(r));
      r.res.writeHead(204).end();
    },
    recoverWebhook: async (r) => {
      checkQuery(validators.noQuery, r.query);
      const id = pathId(r);
      const body = check(validators.webhookRecover, r.body, "the request body");
      const since = new Date(body.since);
      // RFC 3339 allows a leap second (…:60), which no Date holds.
      if (Number.isNaN(since.getTime())) {
        const rule = "must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z";
        throw badRequest(`since ${rule}`, [{ field: "since", message: rule }]);
      }
      const { queued } = await api.webhooks.recover(auth(r), id, since);
      sendJson(r.res, 202, { queued });
    },
    enableWebhook: async (r) => {
      checkQuery(validators.noQuery, r.query);
      sendJson(r.res, 200, webhookJson(await api.webhooks.enable(auth(r), pathId(r))));
    },
    rotateWebhookSecret: async (r) => {
      checkQuery(validators.noQuery, r.query);
      const body = check(validators.secretRotation, r.body, "the request body");
      const rotated = await api.webhooks.rotateSecret(auth(r), pathId(r), body);
      sendJson(r.res, 200, webhookJson(rotated));
    },
  };
}

function watcherRoutes(api: JobhooksApi): Record<string, GatewayHandler> {
  return {
    createJobDoneWatcher: async (r) => {
      checkQuery(validators.noQuery, r.query);
      const key = idempotencyKey(r.req);
      const body = check(validators.watcherCreate, r.body, "the request body");
      // With a key a retry cannot create a second watcher, so it is safe to retry.
      const options = { ...auth(r), retry: key !== undefined };
      const created = await api.watchers.create(options, watcherRequest(body), key);
      sendJson(r.res, 201, watcherJson(created));
    },
    listJobDoneWatchers: async (r) => {
      const query = checkQuery(validators.watcherQuery, r.query, ["limit"]);
      const filter = watcherFilter(query);
      await sendList(r.res, {
        query,
        sentQuery: r.query,
        fetchPage: (page) => api.watchers.list(auth(r), filter, page),
        toJson: watcherJson,
      });
    },
    getJobDoneWatcher: async (r) => {
      checkQuery(validators.noQuery, r.query);
      sendJson(r.res, 200, watcherJson(await api.watchers.get(auth(r), pathId(r))));
    },
    listJobDoneWatcherDeliveries: async (r) => {
      const query = checkQuery(validators.deliveriesQuery, r.query, ["limit"]);
      const id = pathId(r);
      await sendList(r.res, {
        query,
        sentQuery: r.query,
        fetchPage: (page) => api.watchers.deliveries(auth(r), id, page),
        toJson: deliveryAttemptJson,
      });
    },
    cancelJobDoneWatcher: async (r) => {
      checkQuery(validators.noQuery, r.query);
      sendJson(r.res, 200, watcherJson(await api.watchers.cancel(auth(r), pathId(r))));
    },
    redeliverJobDoneTrigger: async (r) => {
      checkQuery(validators.noQuery, r.query);
      const [id, triggerId] = [pathId(r), pathId(r, "triggerId")];
      sendJson(r.res, 202, watcherJson(await api.watchers.redeliver(auth(r), id, triggerId)));
    },
  };
}

/** The REST operations by their operationId in the document, each onto one API call or a few. */
export function apiRoutes(api: JobhooksApi): Record<string, GatewayHandler> {
  return {
    ...webhookRoutes(api),
    ...watcherRoutes(api),
    ...counterRoutes(api),
  };
}
