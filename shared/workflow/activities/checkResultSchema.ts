// The message schema of one check finding, as activities return them and the orchestrators decode them.
import { z } from "zod";
import { type CheckResult } from "../../domain/checkResult";

export const checkResultSchema: z.ZodType<CheckResult> = z.object({
  code: z.string(),
  status: z.enum(["pass", "warn", "fail", "skipped"]),
  message: z.string(),
  remedy: z.string(),
});
