import { expect } from "chai";
import { Webhook } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import { TriggerStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver, type ReceivedRequest } from "../support/receiver.js";
import { restCaller } from "../support/restCall.js";
import { finalWatcher } from "../support/watchers.js";

// Long enough for a Job to finish and be delivered inside it, short enough to wait out.
const OVERLAP_S = 8;

// Signing-secret rotation end to end: during the overlap a delivery carries both signatures,
// each verifying with the standardwebhooks library; after it, only the new secret's.
describe("controlplane: rotating a webhook's signing secret @cluster", function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  const call = restCaller(() => cp.restUrl);

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
    cp = await startControlplane(cluster, { role: "all" });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
  });

  const verifies = (secret: string, req: ReceivedRequest): boolean => {
    try {
      new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };
  // A Job watched for webhook `id`, delivered: the request the receiver got.
  const delivered = async (ns: string, jobName: string, id: string): Promise<ReceivedRequest> => {
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName,
      triggers: [{ webhookId: id, timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, jobName);
    const done = await finalWatcher(cp, w.id, 60_000);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    const req = receiver.on(`/${ns}/signed`).find((r) => r.body.includes(jobName));
    if (!req) throw new Error(`no delivery for ${jobName}`);
    return req;
  };

  it("signs with both secrets during the overlap, and with the new one only after it", async () => {
    const ns = await createTestNamespace(cluster, "rotation");
    const [s1, s2] = [generateSecret(), generateSecret()];
    const created = await call("POST", "/webhooks", "/webhooks", {
      body: { url: `${receiver.url}/${ns}/signed`, secret: s1 },
    });
    const id = (created.body as { id: string }).id;

    const rotated = await call(
      "POST",
      `/webhooks/${id}/rotate-secret`,
      "/webhooks/{id}/rotate-secret",
      {
        body: { secret: s2, previousExpiresInSeconds: OVERLAP_S },
      },
    );
    expect(rotated.status).to.equal(200);
    expect(rotated.body).to.include({ id, signed: true });
    expect(JSON.stringify(rotated.body)).to.not.contain(s1.slice(6)).and.not.contain(s2.slice(6));
    const expires = Date.parse(
      (rotated.body as { previousSecretExpiresAt: string }).previousSecretExpiresAt,
    );
    expect(expires - Date.now()).to.be.within(0, OVERLAP_S * 1000);

    const during = await delivered(ns, "during", id);
    expect(Number(during.headers["webhook-timestamp"]) * 1000).to.be.below(expires);
    expect(String(during.headers["webhook-signature"]).split(" ")).to.have.length(2);
    expect(verifies(s1, during), "old secret").to.equal(true);
    expect(verifies(s2, during), "new secret").to.equal(true);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now() + 200)));
    const afterwards = await delivered(ns, "after", id);
    expect(String(afterwards.headers["webhook-signature"]).split(" ")).to.have.length(1);
    expect(verifies(s2, afterwards), "new secret").to.equal(true);
    expect(verifies(s1, afterwards), "old secret").to.equal(false);
    expect((await call("GET", `/webhooks/${id}`, "/webhooks/{id}")).body).to.include({
      previousSecretExpiresAt: new Date(expires).toISOString(),
    });
  });

  it("refuses a malformed secret or overlap (400), an unknown webhook (404)", async () => {
    const created = await call("POST", "/webhooks", "/webhooks", {
      body: { url: `${receiver.url}/refused` },
    });
    const id = (created.body as { id: string }).id;
    const rotate = (path: string, body: object): ReturnType<typeof call> =>
      call("POST", path, "/webhooks/{id}/rotate-secret", { body });
    const bad = await rotate(`/webhooks/${id}/rotate-secret`, { secret: "whsec_short" });
    expect(bad.status).to.equal(400);
    const long = await rotate(`/webhooks/${id}/rotate-secret`, {
      secret: generateSecret(),
      previousExpiresInSeconds: 31 * 24 * 3600,
    });
    expect(long.status).to.equal(400);
    expect(
      (await rotate("/webhooks/nope/rotate-secret", { secret: generateSecret() })).status,
    ).to.equal(404);
    // No previous secret for a webhook that had none: it is signed from now on.
    const first = await rotate(`/webhooks/${id}/rotate-secret`, { secret: generateSecret() });
    expect(first.status).to.equal(200);
    expect(first.body).to.include({ signed: true });
    expect(first.body).to.not.have.property("previousSecretExpiresAt");
  });
});
