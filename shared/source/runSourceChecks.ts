// Runs the source check table over gathered facts: each check runs when what it needs is there, else it is skipped (saying why) or left out.
import { type CheckResult, check } from "../domain/checkResult";
import { type GatheredFacts } from "./gatheredFacts";
import { type SourceCheck } from "./sourceCheck";
import { type SourceCheckInput } from "./sourceCheckInput";
import { SOURCE_CHECKS } from "./sourceChecks";

const NO_INSPECTION_ACCOUNT =
  "No inspection account was given: this check reads schema metadata and is skipped. Add source.inspectionUser and source.inspectionPassword (a read-only account) to run it.";

/** The check's findings, or why what it needs is missing. */
function evaluate(row: SourceCheck, facts: GatheredFacts, input: SourceCheckInput): CheckResult[] | string {
  if (row.needs === "nothing") return [row.rule(facts, input)].flat();
  if (facts.stage === "addressRefused") return "The source's address was refused; no connection was made.";
  if (row.needs === "address") return [row.rule(facts, input)].flat();
  if (facts.stage === "notConnected") return "No session as the replication user.";
  if (row.needs === "session") return [row.rule(facts, input)].flat();
  const { inspection } = facts;
  if (inspection.state === "notGiven") return NO_INSPECTION_ACCOUNT;
  if (inspection.state === "connectFailed") return "The inspection account could not connect.";
  return [row.rule({ ...facts, inspection }, input)].flat();
}

const RANK = new Map(SOURCE_CHECKS.map((row, index) => [row.code, index]));

/**
 * Every check of the table that applies, in the table's order. A finding reported under another check's code (an
 * inspection login that fails on TLS or the network) takes that code's place.
 */
export function runSourceChecks(facts: GatheredFacts, input: SourceCheckInput): CheckResult[] {
  const results: CheckResult[] = [];
  for (const row of SOURCE_CHECKS) {
    if (row.appliesTo && !row.appliesTo(input)) continue;
    const outcome = evaluate(row, facts, input);
    if (typeof outcome !== "string") results.push(...outcome);
    else if (row.whenUnmet === "skip") results.push(check(row.code, "skipped", outcome));
  }
  const rank = (code: string) => RANK.get(code) ?? SOURCE_CHECKS.length;
  return results.sort((a, b) => rank(a.code) - rank(b.code));
}
