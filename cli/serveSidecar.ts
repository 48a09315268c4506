import { createLightLogger } from "../common/lightLogger.js";
import type { CommonOptions } from "./options.js";
import type { SidecarOptions } from "../sidecar/createSidecar.js";
import { runUntilSignal } from "./runUntilSignal.js";

// Not in serve.ts, whose roles load the controlplane's modules: this file and what it imports
// are all the sidecar's command loads (launch.ts).

export type ServeSidecarOptions = SidecarOptions & Pick<CommonOptions, "logLevel">;

/** `jobhooks sidecar`: its health endpoints are on its own listener, not a --health-listen. */
export async function serveSidecar(options: ServeSidecarOptions): Promise<void> {
  // No grpc-js and no pino here: the sidecar's client is client/lite's, over node:http2.
  const log = createLightLogger(options.logLevel, "sidecar");
  const { createSidecar } = await import("../sidecar/createSidecar.js");
  const assembly = createSidecar(options, { env: process.env, log });
  await runUntilSignal("sidecar", assembly, log);
}
