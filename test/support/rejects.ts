import { expect } from "chai";

/** Awaits `promise`, which must reject with an error of `type` whose message matches `message`. */
export async function rejects<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  message?: RegExp,
): Promise<E> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, "the call should have failed").to.be.instanceOf(type);
  if (message) expect((error as E).message).to.match(message);
  return error as E;
}
