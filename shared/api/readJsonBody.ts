// Reads a JSON request body with a size limit enforced while reading, and only when it is declared as JSON.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { errorResponse } from "./httpResults";

/** application/json, or a structured-syntax +json type; parameters (charset) allowed, other charsets refused. */
function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const [essence = "", ...parameters] = value.split(";").map((part) => part.trim().toLowerCase());
  if (essence !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(essence)) return false;
  return parameters.every((parameter) => {
    const [name, raw = ""] = parameter.split("=").map((part) => part.trim());
    return name !== "charset" || raw.replace(/^"|"$/g, "") === "utf-8";
  });
}

function tooLarge(limitBytes: number): { response: HttpResponseInit } {
  return {
    response: errorResponse(413, "PayloadTooLarge", `The body must be at most ${limitBytes} bytes.`),
  };
}

/**
 * 415 for a body not declared as JSON; 413 from Content-Length before a byte is read, else 413 as soon as the
 * bytes read pass the limit (chunked bodies, or a Content-Length that lies): memory stays bounded by the limit.
 */
export async function readJsonBody(
  request: HttpRequest,
  limitBytes: number,
): Promise<{ body: unknown } | { response: HttpResponseInit }> {
  const contentType = request.headers.get("content-type");
  if (!isJsonContentType(contentType)) {
    return {
      response: errorResponse(
        415,
        "UnsupportedMediaType",
        `The body must be JSON sent with Content-Type: application/json (got ${contentType === null ? "none" : JSON.stringify(contentType.slice(0, 100))}).`,
      ),
    };
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > limitBytes) {
    await request.body?.cancel().catch(() => undefined);
    return tooLarge(limitBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done) break;
      if (!value) continue;
      total += value.byteLength;
      if (total > limitBytes) {
        await reader.cancel().catch(() => undefined);
        return tooLarge(limitBytes);
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, total));
  } catch {
    text = "\uFFFD";
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return {
      response: errorResponse(400, "InvalidRequest", "The body is not valid JSON.", {
        details: [{ path: "(body)", message: "must be a JSON object" }],
      }),
    };
  }
}
