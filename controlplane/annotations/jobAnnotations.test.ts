import { expect } from "chai";
import { Outcome } from "../watchers/model.js";
import { annotatedRequest, namesWebhooks, ownAnnotations } from "./jobAnnotations.js";

describe("annotatedRequest (a Job's jobhooks.dev annotations)", () => {
  it("names no webhook without jobhooks.dev/webhooks or cluster-webhooks", () => {
    expect(annotatedRequest(undefined)).to.equal(undefined);
    expect(annotatedRequest({ "jobhooks.dev/notify-on": "failed" })).to.equal(undefined);
    expect(namesWebhooks({ other: "x" })).to.equal(false);
  });

  it("reads comma-separated names, each once, blanks ignored; notifies on success by default", () => {
    expect(
      annotatedRequest({
        "jobhooks.dev/webhooks": " build ,chat,, build",
        "jobhooks.dev/cluster-webhooks": "ops",
      }),
    ).to.deep.equal({
      webhooks: ["build", "chat"],
      clusterWebhooks: ["ops"],
      notifyOn: [Outcome.SUCCEEDED],
      problems: [],
    });
  });

  it("takes outcomes in any case; an unknown one is a problem and the rest is used", () => {
    const r = annotatedRequest({
      "jobhooks.dev/cluster-webhooks": "ops",
      "jobhooks.dev/notify-on": "Failed, SUCCEEDED, finished, failed",
    });
    expect(r?.notifyOn).to.deep.equal([Outcome.FAILED, Outcome.SUCCEEDED]);
    expect(r?.problems).to.deep.equal([
      'jobhooks.dev/notify-on: "finished" is none of succeeded, failed, deleted',
    ]);
  });

  it("refuses a Webhook of another namespace (ns/name)", () => {
    const r = annotatedRequest({ "jobhooks.dev/webhooks": "team-b/chat, mine" });
    expect(r?.webhooks).to.deep.equal(["mine"]);
    expect(r?.problems[0]).to.match(/team-b\/chat.*own namespace/);
  });

  it("keeps only jobhooks.dev annotations of a CronJob", () => {
    expect(
      ownAnnotations({ "jobhooks.dev/webhooks": "a", "kubectl.kubernetes.io/x": "{}" }),
    ).to.deep.equal({ "jobhooks.dev/webhooks": "a" });
  });
});
