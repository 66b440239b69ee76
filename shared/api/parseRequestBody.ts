// Reads a request's JSON body within the API's size limit and validates it with the route's schema: the body, or the 4xx to answer.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { type z } from "zod";
import { errorResponse } from "./httpResults";
import { readJsonBody } from "./readJsonBody";
import { describeIssues } from "../request/provisionRequest";

/** The app's own body limit, well below the Functions host's 100 MB: a request is a few KB at most. */
const MAX_BODY_BYTES = 256 * 1024;

export async function parseRequestBody<T>(
  request: HttpRequest,
  schema: z.ZodType<T>,
): Promise<{ body: T } | { response: HttpResponseInit }> {
  const read = await readJsonBody(request, MAX_BODY_BYTES);
  if ("response" in read) return read;
  const parsed = schema.safeParse(read.body, { reportInput: true });
  if (!parsed.success) {
    return {
      response: errorResponse(400, "InvalidRequest", "The request body is invalid.", {
        details: describeIssues(parsed.error),
      }),
    };
  }
  return { body: parsed.data };
}
