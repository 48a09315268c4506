import * as k8s from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { repoRoot } from "../cluster/paths.js";

export const SEED_WEBHOOK_ID = "bb8d54c0-42f0-4d96-9e50-151645693a94";
export const SEED_SERVICE_URL = "http://k8s-job-webhook-service:8080";

/** An example manifest from manifests/examples/. */
export function exampleManifest(file: string): unknown {
  return parse(readFileSync(join(repoRoot, "manifests", "examples", file), "utf8"));
}

/** The init container's shell script of a Job's pod template. */
export function initScript(template: k8s.V1PodTemplateSpec): string {
  const script = template.spec?.initContainers?.[0]?.command?.[2];
  if (!script) throw new Error("no init container script in the example");
  return script;
}

// A PATH whose wget and sed are busybox's, as in the busybox image the examples run.
function busyboxPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-busybox-"));
  for (const applet of ["wget", "sed", "echo"]) symlinkSync("/usr/bin/busybox", join(dir, applet));
  return `${dir}:${process.env.PATH ?? ""}`;
}

/**
 * Runs the init container's script as the pod would, with busybox's sh, wget and sed: the only
 * changes are where the Service points (the gateway here) and the webhook id the user fills in.
 */
export async function runInitScript(
  script: string,
  o: { jobName: string; gatewayUrl: string; webhookId: string },
): Promise<{ stdout: string; stderr: string }> {
  const localized = script
    .replaceAll(SEED_SERVICE_URL, o.gatewayUrl)
    .replaceAll(SEED_WEBHOOK_ID, o.webhookId);
  return promisify(execFile)("/usr/bin/busybox", ["sh", "-c", localized], {
    cwd: mkdtempSync(join(tmpdir(), "jobhooks-init-")),
    env: { PATH: busyboxPath(), JOB_NAME: o.jobName },
    timeout: 20_000,
  });
}
