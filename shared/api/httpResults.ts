// JSON responses of the HTTP API, with the error body shape every route shares.
import type { HttpResponseInit } from "@azure/functions";

export interface ErrorDetail {
  path: string;
  message: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    jsonBody: body,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: { details?: ErrorDetail[]; [key: string]: unknown } = {},
  headers: Record<string, string> = {},
): HttpResponseInit {
  return json(status, { error: { code, message, ...extra } }, headers);
}
