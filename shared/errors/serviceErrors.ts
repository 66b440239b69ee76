// Classification of errors from Azure services reached over HTTP (Table storage, Resource Manager): retry or report.
import { NETWORK_FAILURE_CODES } from "./networkErrors";

// REQUEST_SEND_ERROR: @azure/core-rest-pipeline's code for a request that never got an answer.
const TRANSIENT_NETWORK_CODES = new Set<string>([...NETWORK_FAILURE_CODES, "REQUEST_SEND_ERROR"]);

/**
 * An Azure SDK error (RestError, recognised by its fields, not by instanceof) worth a retry: throttling (429),
 * timeouts (408), server errors (5xx), and requests that never got an answer.
 */
export function isTransientServiceError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode === "number") return statusCode === 408 || statusCode === 429 || statusCode >= 500;
  return typeof code === "string" && TRANSIENT_NETWORK_CODES.has(code);
}

/**
 * A transient failure of an Azure SDK call itself (a RestError, by name): told apart from a MySQL session's error,
 * whose socket codes look alike, where both can come out of one step.
 */
export function isTransientSdkError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "RestError" && isTransientServiceError(error);
}
