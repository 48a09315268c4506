import { expect } from "chai";
import { ProblemError } from "./Problem.js";
import { Router } from "./Router.js";

const table = {
  "/webhooks": { GET: "list", POST: "create" },
  "/webhooks/{id}": { GET: "get", DELETE: "delete" },
  "/job-done-watchers/{id}/cancel": { POST: "cancel" },
};

function refusal(f: () => unknown): { status: number; allow: string | undefined; detail: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof ProblemError) {
      return { status: err.status, allow: err.problem.headers.allow, detail: err.problem.detail };
    }
    throw err;
  }
  throw new Error("no refusal");
}

describe("Router", () => {
  it("finds a handler by path and method, its parameters percent-decoded", () => {
    const router = new Router(table, { loose: false });
    expect(router.find("POST", "/webhooks").handler).to.equal("create");
    const found = router.find("GET", "/webhooks/a%2Fb%E2%9C%93");
    expect(found).to.deep.equal({ handler: "get", params: { id: "a/b\u2713" } });
    expect(router.find("POST", "/job-done-watchers/w1/cancel").params).to.deep.equal({
      id: "w1",
    });
  });

  it("answers HEAD with GET's handler, and other methods 405 with the path's methods", () => {
    const router = new Router(table, { loose: false });
    expect(router.find("HEAD", "/webhooks/x").handler).to.equal("get");
    expect(refusal(() => router.find("PUT", "/webhooks"))).to.include({
      status: 405,
      allow: "GET, POST",
    });
    expect(refusal(() => router.find("HEAD", "/job-done-watchers/x/cancel"))).to.include({
      status: 405,
      allow: "POST",
    });
  });

  it("answers 404 for a path it does not know, 400 for an escape that is not UTF-8", () => {
    const router = new Router(table, { loose: false });
    expect(refusal(() => router.find("GET", "/nowhere"))).to.include({
      status: 404,
      detail: "no route GET /nowhere",
    });
    expect(refusal(() => router.find("GET", "/webhooks/"))).to.include({ status: 404 });
    for (const id of ["%FF", "%E0%A4", "%ED%A0%80", "%C0%AF", "a%zz"]) {
      expect(refusal(() => router.find("DELETE", `/webhooks/${id}`)).status, id).to.equal(400);
    }
  });

  it("matches exactly, or as Express did when loose: any case, a trailing slash allowed", () => {
    const exact = new Router(table, { loose: false });
    expect(refusal(() => exact.find("GET", "/WEBHOOKS")).status).to.equal(404);
    const loose = new Router(table, { loose: true });
    expect(loose.find("GET", "/WEBHOOKS").handler).to.equal("list");
    expect(loose.find("GET", "/webhooks/").handler).to.equal("list");
    expect(loose.find("GET", "/Webhooks/Abc/").params).to.deep.equal({ id: "Abc" });
    expect(refusal(() => loose.find("GET", "/webhooks//")).status).to.equal(404);
  });
});
