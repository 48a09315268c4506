import type { DeliveryAttempt } from "../../contract/model.js";
import type { DeliveryLogRepo } from "../store/DeliveryLogRepo.js";
import { ValidationError } from "./errors.js";
import type { Page } from "./listPage.js";
import { decodePageToken, encodePageToken } from "./pageTokens.js";
import { takePage, type PageBounds } from "./takePage.js";

// The log numbers its attempts 1, 2, ...: a token holds the last one's number.
const ATTEMPT_ID = /^[1-9][0-9]{0,15}$/;

/**
 * One page of a watcher's attempt log, oldest first: from the place `pageToken` names (the start
 * when empty), as many attempts as `bounds` allow, and the token of the next page when more
 * remain. A token is good only for the watcher it was issued for.
 */
export async function listAttempts(
  log: Pick<DeliveryLogRepo, "attempts">,
  watcherId: string,
  bounds: PageBounds<DeliveryAttempt>,
  pageToken: string,
): Promise<Page<DeliveryAttempt>> {
  const after = pageToken === "" ? undefined : afterId(pageToken, watcherId);
  const page = takePage(await log.attempts(watcherId, bounds.limit + 1, after), bounds);
  const last = page.items.at(-1);
  return {
    items: page.items,
    nextPageToken:
      page.more && last
        ? encodePageToken("attempts", { createdAt: Number(last.id), id: last.id }, watcherId)
        : "",
  };
}

function afterId(pageToken: string, watcherId: string): string {
  const { createdAt, id } = decodePageToken("attempts", pageToken, watcherId);
  if (!ATTEMPT_ID.test(id) || Number(id) !== createdAt) {
    throw new ValidationError([
      {
        field: "pageToken",
        description: "is not a token this server issued for the list of attempts",
      },
    ]);
  }
  return id;
}
