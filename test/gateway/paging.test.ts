import { expect } from "chai";
import { Status } from "nice-grpc";
import { PreconditionFailure } from "nice-grpc-error-details";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import type { ControlplaneProcess, JobhooksProcess } from "../support/controlplane.js";
import { LAYOUTS, startLayout, type RunningLayout } from "../support/layouts.js";

// Just under the gateway's 1 MiB body limit once wrapped in JSON: five of these add up to more
// than gRPC's default 4 MiB message limit between the gateway and the controlplane.
const BIG_BODY = "x".repeat(1024 * 1024 - 256);

interface Listed {
  status: number;
  ids: string[];
  next: string | null;
  link: string | null;
}

// Both layouts: over gRPC a page must also fit the message limit between gateway and controlplane.
for (const { layout, name } of LAYOUTS)
  describe(`gateway: lists in pages and webhook deletion (${name}) @cluster`, function () {
    this.timeout(20 * 60_000);
    let cluster: TestCluster;
    let running: RunningLayout;
    let cp: ControlplaneProcess;
    let gw: JobhooksProcess;
    const bigIds: string[] = [];

    async function rest(method: string, path: string, body?: object): Promise<Response> {
      return fetch(gw.restUrl + path, {
        method,
        headers: { "content-type": "application/json" },
        ...(body && { body: JSON.stringify(body) }),
      });
    }

    async function list(path: string): Promise<Listed> {
      const res = await rest("GET", path);
      const body = (await res.json()) as { id: string }[];
      return {
        status: res.status,
        ids: res.status === 200 ? body.map((w) => w.id) : [],
        next: res.headers.get("continue-token"),
        link: res.headers.get("link"),
      };
    }

    // Every page of `path` with limit, in turn through the Link header; the pages' ids.
    async function pages(path: string): Promise<string[][]> {
      const all: string[][] = [];
      let url: string | undefined = path;
      while (url !== undefined) {
        const page = await list(url);
        expect(page.status).to.equal(200);
        all.push(page.ids);
        if (page.next === null) {
          expect(page.link).to.equal(null);
          url = undefined;
        } else {
          const match = /^<(\?[^>]+)>; rel="next"$/.exec(page.link ?? "");
          expect(match, `Link: ${page.link}`).to.not.equal(null);
          expect(new URLSearchParams(match![1]).get("continue")).to.equal(page.next);
          url = `${path.split("?")[0]}${match![1]}`;
        }
      }
      return all;
    }

    async function problem(
      res: Response,
    ): Promise<{ detail: string; errors?: { field: string }[] }> {
      expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
      return (await res.json()) as { detail: string; errors?: { field: string }[] };
    }

    before(async () => {
      cluster = await sharedCluster();
      running = await startLayout(cluster, layout);
      ({ cp, gw } = running);
      for (let i = 0; i < 5; i++) {
        const res = await rest("POST", "/webhooks", {
          url: `http://127.0.0.1:59999/big-${i}`,
          requestBody: BIG_BODY,
        });
        expect(res.status, await res.clone().text()).to.equal(201);
        bigIds.push(((await res.json()) as { id: string }).id);
      }
    });

    after(async () => {
      await running.stop();
    });

    it("answers GET /webhooks without limit with every webhook, more than 4 MiB in all", async () => {
      const res = await fetch(`${gw.restUrl}/webhooks`);
      expect(res.status, res.status === 200 ? "" : await res.text()).to.equal(200);
      expect(res.headers.get("continue-token")).to.equal(null);
      const all = (await res.json()) as { id: string; requestBody: string }[];
      expect(all.map((w) => w.id)).to.have.members(bigIds);
      expect(all.every((w) => w.requestBody === BIG_BODY)).to.equal(true);
    });

    it("lists the 1 MiB webhooks page by page with limit and continue, each page under 4 MiB", async () => {
      const full = (await list("/webhooks")).ids;
      const byTwo = await pages("/webhooks?limit=2");
      expect(byTwo.map((p) => p.length)).to.deep.equal([2, 2, 1]);
      expect(byTwo.flat()).to.deep.equal(full);
      // limit is a maximum: the size budget (about 3 MiB) cuts a page of 1 MiB webhooks sooner.
      const byMany = await pages("/webhooks?limit=1000");
      expect(byMany.length).to.be.greaterThan(1);
      expect(byMany.every((p) => p.length <= 3)).to.equal(true);
      expect(byMany.flat()).to.deep.equal(full);
    });

    it("pages ListWebhooks over gRPC under the message limit", async () => {
      const ids: string[] = [];
      let pageToken = "";
      let calls = 0;
      do {
        const page = await cp.webhooks.listWebhooks({ pageToken });
        expect(page.webhooks.length).to.be.within(1, 3);
        ids.push(...page.webhooks.map((w) => w.id));
        pageToken = page.nextPageToken;
        calls++;
      } while (pageToken !== "");
      expect(calls).to.be.greaterThan(1);
      expect(ids).to.have.members(bigIds);
    });

    it("refuses bad limits and continue tokens with 400 naming the parameter", async () => {
      for (const [query, field] of [
        ["limit=0", "limit"],
        ["limit=1001", "limit"],
        ["limit=abc", "limit"],
        ["limit=1.5", "limit"],
        ["limit=-1", "limit"],
        ["limit=1&limit=2", "limit"],
        ["continue=", "continue"],
        ["continue=not-a-token", "continue"],
        [`continue=${"A".repeat(1025)}`, "continue"],
      ] as const) {
        for (const path of ["/webhooks", "/job-done-watchers"]) {
          const res = await rest("GET", `${path}?${query}`);
          expect(res.status, `${path}?${query}`).to.equal(400);
          expect((await problem(res)).errors?.map((e) => e.field)).to.deep.equal([field]);
        }
      }
      // A real token, edited: still 400, never a 500.
      const { next } = await list("/webhooks?limit=1");
      const edited = JSON.parse(Buffer.from(next!, "base64url").toString()) as { c: unknown };
      for (const c of [-5, "x", 1e300]) {
        const token = Buffer.from(JSON.stringify({ ...edited, c })).toString("base64url");
        expect((await rest("GET", `/webhooks?limit=1&continue=${token}`)).status).to.equal(400);
      }
      // A webhooks token is not a watchers token.
      const res = await rest("GET", `/job-done-watchers?limit=1&continue=${next!}`);
      expect(res.status).to.equal(400);
      expect((await problem(res)).detail).to.contain("list of watchers");
    });

    it("pages watchers with their filters, and refuses a token across filters", async () => {
      const ns = await createTestNamespace(cluster, "paging");
      const other = await createTestNamespace(cluster, "paging-other");
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await rest("POST", "/job-done-watchers", {
          jobName: `paged-${i}`,
          namespace: i === 3 ? other : ns,
          jobDoneTriggerWebhooks: [{ webhookId: bigIds[0] }],
        });
        expect(res.status).to.equal(201);
        if (i !== 3) created.push(((await res.json()) as { id: string }).id);
      }
      const byThree = await pages(`/job-done-watchers?namespace=${ns}&status=PENDING&limit=3`);
      expect(byThree.map((p) => p.length)).to.deep.equal([3, 3]);
      expect(byThree.flat()).to.have.members(created);
      expect((await list(`/job-done-watchers?namespace=${ns}`)).ids).to.deep.equal(byThree.flat());
      const { next } = await list(`/job-done-watchers?namespace=${ns}&limit=1`);
      const across = await rest("GET", `/job-done-watchers?namespace=${other}&continue=${next!}`);
      expect(across.status).to.equal(400);
      expect((await problem(across)).detail).to.contain("other filters");
    });

    it("refuses to delete a webhook a pending watcher names (409), deletes it once the watcher ended (204)", async () => {
      const hook = await rest("POST", "/webhooks", { url: "http://127.0.0.1:59999/deleted" });
      const id = ((await hook.json()) as { id: string }).id;
      const created = await rest("POST", "/job-done-watchers", {
        jobName: "never-runs",
        jobDoneTriggerWebhooks: [{ webhookId: id }],
      });
      const watcher = ((await created.json()) as { id: string }).id;

      const refused = await rest("DELETE", `/webhooks/${id}`);
      expect(refused.status).to.equal(409);
      expect((await problem(refused)).detail)
        .to.contain(watcher)
        .and.to.contain("PENDING");
      expect((await rest("GET", `/webhooks/${id}`)).status).to.equal(200);

      expect((await rest("POST", `/job-done-watchers/${watcher}/cancel`)).status).to.equal(200);
      const deleted = await rest("DELETE", `/webhooks/${id}`);
      expect(deleted.status).to.equal(204);
      expect(await deleted.text()).to.equal("");

      expect((await rest("GET", `/webhooks/${id}`)).status).to.equal(404);
      expect((await rest("DELETE", `/webhooks/${id}`)).status).to.equal(404);
      expect((await list("/webhooks")).ids).to.not.include(id);
      const naming = await rest("POST", "/job-done-watchers", {
        jobName: "after-delete",
        jobDoneTriggerWebhooks: [{ webhookId: id }],
      });
      expect(naming.status).to.equal(404);
      expect((await problem(naming)).errors?.map((e) => e.field)).to.deep.equal([
        "jobDoneTriggerWebhooks[0].webhookId",
      ]);
      // The ended watcher still reads as it was.
      const ended = await rest("GET", `/job-done-watchers/${watcher}`);
      expect(ended.status).to.equal(200);
      const body = (await ended.json()) as {
        status: string;
        jobDoneTriggerWebhooks: { webhookId: string }[];
      };
      expect(body.status).to.equal("CANCELLED");
      expect(body.jobDoneTriggerWebhooks[0]?.webhookId).to.equal(id);
    });

    it("deletes over gRPC: FAILED_PRECONDITION naming the open watchers, then NOT_FOUND", async () => {
      const { id } = await cp.webhooks.createWebhook({
        url: "http://127.0.0.1:59999/grpc-deleted",
      });
      const watcher = await cp.watchers.createWatcher({
        jobName: "never-runs-either",
        triggers: [{ webhookId: id, timeoutSeconds: 0 }],
      });
      const refused = await cp.webhooks.deleteWebhook({ id }).catch((err: unknown) => err);
      expect(refused).to.include({ code: Status.FAILED_PRECONDITION });
      const details = (refused as { extra: unknown[] }).extra.find(
        (d): d is PreconditionFailure => typeof d === "object" && d !== null && "violations" in d,
      );
      expect(details?.violations.map((v) => v.subject)).to.deep.equal([
        `jobdonewatchers/${watcher.id}`,
      ]);
      await cp.watchers.cancelWatcher({ id: watcher.id });
      await cp.webhooks.deleteWebhook({ id });
      for (const call of [cp.webhooks.getWebhook({ id }), cp.webhooks.deleteWebhook({ id })]) {
        expect(await call.catch((err: unknown) => err)).to.include({ code: Status.NOT_FOUND });
      }
    });
  });
