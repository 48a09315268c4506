import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { httpDate, withHttpDate } from "./httpDate.js";

describe("httpDate", () => {
  it("writes what Date#toUTCString writes, over 1970 to 2400, leap days and year ends", () => {
    const samples = [
      0,
      -1,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59),
      Date.UTC(2025, 0, 1),
      Date.UTC(2026, 11, 3, 15, 32, 10),
      Date.UTC(2399, 11, 31, 23, 59, 59),
    ];
    // And a day's worth of steps across the years: every weekday, month and hour.
    for (let ms = 0; ms < Date.UTC(2400, 0, 1); ms += 86_400_000 * 97 + 3_601_001) samples.push(ms);
    for (const ms of samples) expect(httpDate(ms), String(ms)).to.equal(new Date(ms).toUTCString());
  });

  it("is the Date header of a response served by withHttpDate, and the only one", async () => {
    const server = createServer(withHttpDate((_req, res) => res.end("ok")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const date = res.headers.get("date") ?? "";
      expect(date).to.match(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(date.includes(",", 5), "one header, not two joined").to.equal(false);
      expect(Date.parse(date)).to.be.within(before, Date.now());
    } finally {
      server.close();
    }
  });
});
