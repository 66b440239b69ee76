// The URLs the API answers with: a replication's status and one of its operations', on the caller's own origin.
import type { HttpRequest } from "@azure/functions";
import { type LinkOperation } from "../workflow/linkOperationTypes";

export function replicationUrl(request: HttpRequest, id: string): string {
  return `${new URL(request.url).origin}/api/replications/${encodeURIComponent(id)}`;
}

export function operationUrl(request: HttpRequest, id: string, operation: LinkOperation): string {
  return `${replicationUrl(request, id)}/operations/${operation}`;
}
