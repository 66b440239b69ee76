// Decodes an activity's result by that activity's schema: a replayed history from another code version is not trusted.
import { type z } from "zod";

export function decode<T>(schema: z.ZodType<T>, activityName: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(result)"}: ${issue.message}`)
    .join("; ");
  throw new Error(`Activity ${activityName} returned an unexpected result shape: ${issues}`);
}
