import type { CallContext, ServerMiddleware } from "nice-grpc";
import { ANONYMOUS, type Auth, type Caller } from "../auth/Caller.js";

/** What every jobhooks service call knows besides its request. */
export interface CallerContext {
  caller: Caller;
}

// Probes and tooling need no credentials.
const OPEN_SERVICES = ["/grpc.health.v1.", "/grpc.reflection."];

/** Resolves the caller from the call's authorization metadata before the service sees it. */
export function authMiddleware(auth: Auth): ServerMiddleware<CallerContext> {
  return async function* (call, context: CallContext) {
    const open = OPEN_SERVICES.some((prefix) => call.method.path.startsWith(prefix));
    const caller = open
      ? await auth.authenticate(undefined).catch(() => undefined)
      : await auth.authenticate(context.metadata.get("authorization"));
    return yield* call.next(call.request, { ...context, caller: caller ?? ANONYMOUS });
  };
}
