// Step (rotation): the new password and/or CA must work on the source before the running link is touched.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import { type SourceSpec } from "../provisionTypes";
import {
  CHECK_SOURCE_LOGIN_ACTIVITY,
  type CheckSourceLoginInput,
  checkSourceLoginResultSchema,
} from "../activities/rotationActivities";
import { callActivity, valueOf } from "./callActivity";
import { type LinkOperationRun } from "./linkOperationRun";

/** Logs in as the replica will after the rotation; a refusal ends the run with nothing changed. */
export function* tryNewValues(run: LinkOperationRun, source: SourceSpec): Generator<df.Task, void, unknown> {
  run.begin("validating");
  const input: CheckSourceLoginInput = { source };
  const login = valueOf(
    yield* callActivity(
      run.context,
      { name: CHECK_SOURCE_LOGIN_ACTIVITY, policy: MYSQL_RETRY, input, schema: checkSourceLoginResultSchema },
      (reason) => ({
        code: "SOURCE_UNAVAILABLE",
        message: `The source could not be reached to try the new values: ${reason}`,
        remedy: "Check that the source is up and reachable, then PATCH again. Nothing was changed.",
      }),
    ),
  );
  run.report.checks.push({
    code: "NEW_CREDENTIALS_LOGIN",
    status: source.caCertificate && !login.tls ? "fail" : "pass",
    message: `${source.replicationUser} logs in to the source with the new values${
      login.tls ? ` over TLS (${login.cipher ?? "?"})` : " without TLS"
    }.`,
    remedy: "",
  });
}
