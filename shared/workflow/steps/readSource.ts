// Step (cutover): the source's written position and read-only state.
import type * as df from "durable-functions";
import { MYSQL_RETRY } from "../retryPolicies";
import {
  READ_SOURCE_POSITION_ACTIVITY,
  type ReadSourcePositionInput,
  type SourcePosition,
  readSourcePositionResultSchema,
} from "../activities/cutoverActivities";
import { callActivity, valueOf } from "./callActivity";
import { type ClaimedLink, type LinkOperationRun } from "./linkOperationRun";

export function* readSource(
  run: LinkOperationRun,
  link: ClaimedLink,
): Generator<df.Task, SourcePosition, unknown> {
  const input: ReadSourcePositionInput = { source: link.source };
  return valueOf(
    yield* callActivity(
      run.context,
      {
        name: READ_SOURCE_POSITION_ACTIVITY,
        policy: MYSQL_RETRY,
        input,
        schema: readSourcePositionResultSchema,
      },
      (reason) => ({
        code: "SOURCE_UNREACHABLE",
        message: `The source ${link.source.host}:${link.source.port} could not be read after retries: ${reason}`,
        remedy:
          "Bring the source back (the cutover needs its final position to know nothing is missing), then POST the cutover again.",
      }),
    ),
  );
}
