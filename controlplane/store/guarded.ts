import type { StoreHealth } from "./StoreHealth.js";

/**
 * A repository interface as an engine that answers at once implements it (SQLite): each method
 * returns its value instead of a promise of it; `guarded` makes the promises.
 */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};

/**
 * `repo` with every method's failure passed through `health.classify`: an outage of the store
 * (a full disk, an I/O error, a lost connection) comes out as a rejected StoreUnavailableError
 * and marks the store failing, wherever in the controlplane the call was made. A method that
 * answers at once (a synchronous engine) answers with a promise too, so every engine looks
 * the same to its callers.
 */
export function guarded<T extends object>(repo: T | Synchronous<T>, health: StoreHealth): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, key): unknown {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      let fn = wrapped.get(key);
      if (!fn) {
        fn = (...args: unknown[]): Promise<unknown> => {
          try {
            const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (!(result instanceof Promise)) return Promise.resolve(result);
            return result.catch((err: unknown) => {
              throw health.classify(err);
            });
          } catch (err) {
            return Promise.reject(health.classify(err));
          }
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  }) as T;
}
