import type { StoreHealth } from "./StoreHealth.js";

/**
 * `repo` with every method's failure passed through `health.classify`: an outage of the store
 * (a full disk, an I/O error) comes out as a StoreUnavailableError and marks the store failing,
 * wherever in the controlplane the call was made.
 */
export function guarded<T extends object>(repo: T, health: StoreHealth): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, key): unknown {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      let fn = wrapped.get(key);
      if (!fn) {
        fn = (...args: unknown[]): unknown => {
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (err) {
            throw health.classify(err);
          }
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}
