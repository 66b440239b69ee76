// Decodes what crosses an activity boundary by that activity's schema: a replayed history or another code version is not trusted.
import { type z } from "zod";

/** The first issues of a failed parse as `path: message`, `whole` standing for an issue about the value itself. */
export function formatIssues(error: z.ZodError, whole: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || whole}: ${issue.message}`)
    .join("; ");
}

export function decode<T>(schema: z.ZodType<T>, activityName: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(
    `Activity ${activityName} returned an unexpected result shape: ${formatIssues(parsed.error, "(result)")}`,
  );
}
