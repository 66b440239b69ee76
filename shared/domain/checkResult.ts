// The shape of one validation finding, shared by the source and replica checks and the status API.
export type CheckStatus = "pass" | "warn" | "fail" | "skipped";

export interface CheckResult {
  code: string;
  status: CheckStatus;
  message: string;
  remedy: string;
}

export function check(code: string, status: CheckStatus, message: string, remedy = ""): CheckResult {
  return { code, status, message, remedy };
}
