// The shape of one validation finding, shared by the source and replica checks and the status API.
import { z } from "zod";

export type CheckStatus = "pass" | "warn" | "fail" | "skipped";

export interface CheckResult {
  code: string;
  status: CheckStatus;
  message: string;
  remedy: string;
}

export const checkResultSchema: z.ZodType<CheckResult> = z.object({
  code: z.string(),
  status: z.enum(["pass", "warn", "fail", "skipped"]),
  message: z.string(),
  remedy: z.string(),
});

export function check(code: string, status: CheckStatus, message: string, remedy = ""): CheckResult {
  return { code, status, message, remedy };
}
