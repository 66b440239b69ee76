// Rotation: try the new password and/or CA on the source, re-link the replica at its applied position, verify; put the old link back on failure.
import type * as df from "durable-functions";
import { z } from "zod";
import { secretReferenceInputSchema, timingInputSchema } from "./provisionTypes";
import { type ProvisionTiming } from "./provisionOrchestrator";
import { linkOperationOrchestrator } from "./steps/linkOperation";
import { type ClaimedLink, type LinkOperationRun } from "./steps/linkOperationRun";
import { type Release, coordinateChanges } from "./steps/releaseLink";
import {
  type RotatedValues,
  rotatedSource,
  rotatedValuesText,
  rotationNextSteps,
} from "./steps/rotationValues";
import { tryNewValues } from "./steps/tryNewValues";
import { relink } from "./steps/relink";
import { putOldLinkBack } from "./steps/putOldLinkBack";
import { startRelinked } from "./steps/startRelinked";

export const ROTATION_ORCHESTRATOR = "rotateReplicationCredentials";

export interface RotationInput extends RotatedValues {
  id: string;
  timing: ProvisionTiming;
}

const inputSchema = z.object({
  id: z.string().min(1),
  replicationPassword: secretReferenceInputSchema.optional(),
  caCertificate: z.string().optional(),
  timing: timingInputSchema,
});

export const rotationOrchestrator = linkOperationOrchestrator<RotationInput>({
  operation: "rotation",
  inputSchema,
  holdAs: "rotating",
  done: "rotated",
  runbook: rotate,
});

/** Each step throws StepFailed to end the run; the re-link first adds putting the old link back to run.undo. */
function* rotate(
  run: LinkOperationRun,
  link: ClaimedLink,
  input: RotationInput,
): Generator<df.Task, Release, unknown> {
  const { report } = run;
  const source = rotatedSource(link.source, input);
  // 1. The new values must work on the source before the running link is touched.
  yield* tryNewValues(run, source);
  // 2. Re-link at the applied position with the new values.
  yield* relink(run, link, source, rotatedValuesText(input), () => putOldLinkBack(run, link, input.timing));
  // 3. Start and verify.
  run.begin("starting");
  yield* startRelinked(run, link, input.timing);
  report.changes.push("replication runs with the new values");
  report.outcome = "succeeded";
  report.nextSteps = rotationNextSteps(input);
  return {
    state: "replicating",
    changes: {
      source: {
        replicationPassword: source.replicationPassword,
        caCertificate: source.caCertificate ?? null,
      },
      ...coordinateChanges(report.coordinates),
    },
  };
}
