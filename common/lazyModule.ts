import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use rather than at start, synchronously, so code on a
 * synchronous path (a pure decision rendering a template) can still call it. For dependencies a
 * process may never use: each costs RSS from the moment it is loaded (liquidjs about 13 MiB,
 * cloudevents about 10 MiB) whether or not any webhook needs it.
 */
// T is the caller's word for what the module exports (`typeof import("liquidjs")`): require()
// cannot know it.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
