// Step (cutover): CHECKSUM TABLE of the named tables on both sides, with both quiet; any difference ends the run.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import {
  COMPARE_CHECKSUMS_ACTIVITY,
  type CompareChecksumsInput,
  compareChecksumsResultSchema,
} from "../activities/cutoverActivities";
import { StepFailed, callActivity, valueOf } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* compareChecksums(
  run: LinkOperationRun,
  link: ClaimedLink,
  tables: string[],
): Generator<df.Task, void, unknown> {
  const { report } = run;
  run.begin("comparing");
  const input: CompareChecksumsInput = {
    source: link.source,
    replica: link.replica,
    fqdn: link.fqdn,
    tables,
  };
  report.checksums = valueOf(
    yield* callActivity(
      run.context,
      { name: COMPARE_CHECKSUMS_ACTIVITY, policy: MYSQL_RETRY, input, schema: compareChecksumsResultSchema },
      (reason) => ({
        code: "CHECKSUM_UNAVAILABLE",
        message: `Comparing checksums failed after retries: ${reason}`,
        remedy: "Check that both servers are reachable, then cut over again.",
      }),
    ),
  );
  const different = report.checksums.filter((item) => !item.equal).map((item) => item.table);
  if (different.length > 0)
    throw new StepFailed({
      code: "CHECKSUM_MISMATCH",
      message: `CHECKSUM TABLE differs between source and replica for ${different.join(", ")}.`,
      remedy: "The replica's data drifted: re-seed those tables (or the replica) before cutting over.",
    });
}
