// The yardstick for bench/gateway.ts: Express with the same JSON body parsing and nothing behind
// it, in a process of its own like the gateway. Prints its port, serves until killed.
import express from "express";
import type { AddressInfo } from "node:net";

const app = express();
app.disable("x-powered-by");
app.use(express.json({ limit: 1024 * 1024, type: () => true }));
let created = 0;
app.post("/job-done-watchers", (req, res) => {
  created++;
  res.status(201).json({ id: String(created), status: "PENDING", ...(req.body as object) });
});
app.get("/job-done-watchers/:id", (req, res) => {
  res.json({ id: req.params.id, status: "PENDING" });
});
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
