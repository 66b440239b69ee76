// One row of the source check table: its code, what it needs from the source, and a pure rule over the gathered facts.
import { type CheckResult } from "../domain/checkResult";
import { type ConnectedFacts, type GatheredFacts, type Inspected } from "./gatheredFacts";
import { type SourceCheckInput } from "./sourceCheckInput";

/** What each need guarantees the rule: the facts it is given. */
interface FactsByNeed {
  nothing: GatheredFacts;
  /** The address passed, so a connection was tried. */
  address: Exclude<GatheredFacts, { stage: "addressRefused" }>;
  /** A session as the replication user: variables, grants, binary logs. */
  session: ConnectedFacts;
  /** And the inspection account read the schemas. */
  inspection: ConnectedFacts & { inspection: Inspected };
}

type Need = keyof FactsByNeed;

interface SourceCheckRow<N extends Need> {
  code: string;
  needs: N;
  /** Without what it needs: reported as skipped, saying why, or left out of the report. */
  whenUnmet: "skip" | "omit";
  /** Whether the check belongs in this validation at all (e.g. only with table filters). */
  appliesTo?: (input: SourceCheckInput) => boolean;
  /** Pure: the same facts and input give the same findings. */
  rule: (facts: FactsByNeed[N], input: SourceCheckInput) => CheckResult | CheckResult[];
}

export type SourceCheck = { [N in Need]: SourceCheckRow<N> }[Need];

/** A row with its rule typed by what it needs. */
export function sourceCheck<N extends Need>(row: SourceCheckRow<N>): SourceCheckRow<N> {
  return row;
}
