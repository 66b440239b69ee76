// The {id} of a /api/replications/{id} route: a link id as linkIdFor makes them, or the 404 every such route answers.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { errorResponse } from "./httpResults";

const LINK_ID_PATTERN = /^rpl-[0-9a-f]{20}$/;

export function isLinkId(id: string): boolean {
  return LINK_ID_PATTERN.test(id);
}

export function linkIdParam(request: HttpRequest): { id: string } | { response: HttpResponseInit } {
  const id = request.params.id ?? "";
  return isLinkId(id)
    ? { id }
    : { response: errorResponse(404, "NotFound", `No replication with id ${id}.`) };
}
