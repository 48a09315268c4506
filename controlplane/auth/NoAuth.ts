import { ANONYMOUS, type Auth, type Caller } from "./Caller.js";

/** --auth=none: every caller is anonymous and may do everything, as in k8s-job-webhooks. */
export class NoAuth implements Auth {
  authenticate(): Promise<Caller> {
    return Promise.resolve(ANONYMOUS);
  }

  authorize(): Promise<void> {
    return Promise.resolve();
  }
}
