// The yardstick for bench/gateway.ts: node:http with the same JSON body reading (common/readBody,
// JSON.parse) and nothing behind it, in a process of its own like the gateway. Prints its port,
// serves until killed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../common/readBody.js";

let created = 0;
const server = createServer((req, res) => {
  void readBody(req, 1024 * 1024).then((text) => {
    const send = (status: number, value: unknown): void => {
      res
        .writeHead(status, { "content-type": "application/json; charset=utf-8" })
        .end(JSON.stringify(value));
    };
    if (req.method === "POST" && req.url === "/job-done-watchers") {
      created++;
      send(201, { id: String(created), status: "PENDING", ...(JSON.parse(text) as object) });
    } else if (req.method === "GET" && req.url?.startsWith("/job-done-watchers/")) {
      send(200, { id: req.url.slice("/job-done-watchers/".length), status: "PENDING" });
    } else {
      send(404, {});
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
