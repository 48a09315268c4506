import { Router, type Request, type RequestHandler, type Response } from "express";
import { withAuthorization, type ControlplaneClients } from "../client/connect.js";
import {
  createWatcherRequest,
  createWebhookRequest,
  watcherJson,
  watcherStatusFilter,
  webhookJson,
} from "./convert.js";
import { sendList } from "./paging.js";
import { idempotencyKey as idempotencyKeySchema } from "./openapiParts.js";
import { badRequest } from "./problem.js";
import { check, checkQuery, validators } from "./requestSchemas.js";

/** The REST routes, each a translation onto one or a few controlplane calls. */
export function apiRoutes(cp: ControlplaneClients): Router {
  const router = Router();
  const auth = (req: Request): ReturnType<typeof withAuthorization> =>
    withAuthorization(req.get("authorization"));

  router.post(
    "/webhooks",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      const body = check(validators.webhookCreate, req.body, "the request body");
      const created = await cp.webhooks.createWebhook(createWebhookRequest(body), auth(req));
      res.status(201).json(webhookJson(created));
    }),
  );
  router.get(
    "/webhooks",
    handle(async (req, res) => {
      const q = checkQuery(validators.webhookQuery, req.query, ["limit"]);
      await sendList(req, res, {
        query: q,
        fetchPage: async (pageSize, pageToken) => {
          const page = await cp.webhooks.listWebhooks({ pageSize, pageToken }, auth(req));
          return { items: page.webhooks, nextPageToken: page.nextPageToken };
        },
        toJson: webhookJson,
      });
    }),
  );
  router.get(
    "/webhooks/:id",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      res.json(webhookJson(await cp.webhooks.getWebhook({ id: param(req, "id") }, auth(req))));
    }),
  );
  router.delete(
    "/webhooks/:id",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      await cp.webhooks.deleteWebhook({ id: param(req, "id") }, auth(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/job-done-watchers",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      const key = idempotencyKey(req);
      const body = check(validators.watcherCreate, req.body, "the request body");
      // With a key a retry cannot create a second watcher, so it is safe to retry.
      const options = { ...auth(req), ...(key !== "" && { retry: true }) };
      const created = await cp.watchers.createWatcher(createWatcherRequest(body, key), options);
      res.status(201).json(watcherJson(created));
    }),
  );
  router.get(
    "/job-done-watchers",
    handle(async (req, res) => {
      const q = checkQuery(validators.watcherQuery, req.query, ["limit"]);
      const filter = {
        namespace: q.namespace ?? "",
        jobName: q.jobName ?? "",
        status: watcherStatusFilter(q.status),
      };
      await sendList(req, res, {
        query: q,
        fetchPage: async (pageSize, pageToken) => {
          const page = await cp.watchers.listWatchers(
            { ...filter, pageSize, pageToken },
            auth(req),
          );
          return { items: page.watchers, nextPageToken: page.nextPageToken };
        },
        toJson: watcherJson,
      });
    }),
  );
  router.get(
    "/job-done-watchers/:id",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      res.json(watcherJson(await cp.watchers.getWatcher({ id: param(req, "id") }, auth(req))));
    }),
  );
  router.post(
    "/job-done-watchers/:id/cancel",
    handle(async (req, res) => {
      checkQuery(validators.noQuery, req.query);
      res.json(watcherJson(await cp.watchers.cancelWatcher({ id: param(req, "id") }, auth(req))));
    }),
  );
  for (const [path, call] of [
    ["/increment", cp.podCounter.increment.bind(cp.podCounter)],
    ["/decrement", cp.podCounter.decrement.bind(cp.podCounter)],
  ] as const) {
    router.post(
      path,
      handle(async (req, res) => {
        const q = checkQuery(validators.counterQuery, req.query);
        const { value } = await call(
          { podName: q.pod_name, namespace: q.namespace ?? "" },
          auth(req),
        );
        res.type("text/plain").send(String(value));
      }),
    );
  }
  return router;
}

/** Express 5 passes a rejected promise to the error handler; this only narrows the types. */
function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value === "string" && validators.pathId(value)) return value;
  throw badRequest(`${name} must be 1 to 255 characters`, [
    { field: name, message: "must be 1 to 255 characters" },
  ]);
}

function idempotencyKey(req: Request): string {
  const key = req.get("idempotency-key");
  if (key === undefined) return "";
  if (validators.idempotencyKey(key)) return key;
  const rule = idempotencyKeySchema["x-rule"];
  throw badRequest(`Idempotency-Key ${rule}`, [{ field: "Idempotency-Key", message: rule }]);
}
