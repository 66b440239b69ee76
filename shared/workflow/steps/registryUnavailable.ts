// What a registry step says when Table storage could not be reached: one error for claim, release, load and state writes.
import { type Unavailable } from "./callActivity";

/** `what` names the registry write or read: "Claiming the link", "Releasing the link". */
export function registryUnavailable(what: string): Unavailable {
  return (reason) => ({
    code: "REGISTRY_UNAVAILABLE",
    message: `${what} failed after retries: ${reason}`,
    remedy: "Check Table storage's availability, then try again.",
  });
}
