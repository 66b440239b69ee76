// Rotation: try the new password and/or CA on the source, re-link the replica at its applied position, verify; put the old link back on failure.
import type * as df from "durable-functions";
import { z } from "zod";
import { MYSQL_RETRY, REGISTRY_RETRY, ROLLBACK_RETRY } from "./retryPolicies";
import {
  type SourceSpec,
  type WorkflowError,
  secretReferenceInputSchema,
  timingInputSchema,
} from "./provisionTypes";
import { type ProvisionTiming } from "./provisionOrchestrator";
import { RELEASE_LINK_ACTIVITY, type ReleaseLinkInput } from "./activities/linkClaimActivities";
import {
  CHECK_SOURCE_LOGIN_ACTIVITY,
  RELINK_REPLICA_ACTIVITY,
  type CheckSourceLoginInput,
  checkSourceLoginResultSchema,
  type RelinkReplicaInput,
  relinkReplicaResultSchema,
} from "./activities/rotationActivities";
import { StepFailed } from "./steps/callActivity";
import { startAndVerify } from "./steps/startAndVerify";
import { decode } from "./decode";
import { claimLink } from "./steps/claimLink";
import { orchestrationInput } from "./steps/orchestrationInput";
import {
  type OperationReport,
  emptyReport,
  firstLine,
  replicaSpecOf,
  sourceSpecOf,
  stepRecorder,
} from "./linkOperationTypes";
import { type SecretReference } from "../request/secretReference";
import { diagnoseReplicationError } from "../errors/mysqlErrors";

export const ROTATION_ORCHESTRATOR = "rotateReplicationCredentials";

export interface RotationInput {
  id: string;
  /** A reference to the new password of the link's replication user; never the value. */
  replicationPassword?: SecretReference;
  /** The source's new CA certificate (PEM), for example after the source's root CA rotated. */
  caCertificate?: string;
  timing: ProvisionTiming;
}

const inputSchema = z.object({
  id: z.string().min(1),
  replicationPassword: secretReferenceInputSchema.optional(),
  caCertificate: z.string().optional(),
  timing: timingInputSchema,
});

/** The API builds a rotation's new source from the row as this module always exported it. */
export { sourceSpecOf } from "./linkOperationTypes";

export function* rotationOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, OperationReport, unknown> {
  const input = orchestrationInput(context, inputSchema);
  const report = emptyReport(input.id, "rotation");
  const steps = stepRecorder(context, report);
  const at = () => context.df.currentUtcDateTime.toISOString();

  const claimed = yield* claimLink(context, report, steps, "rotating", "rotated");
  if (!claimed) return report;
  const record = claimed;
  const replica = replicaSpecOf(record);
  const fqdn = record.replicaFqdn;
  const oldSource = sourceSpecOf(record);
  const newSource: SourceSpec = {
    ...oldSource,
    ...(input.replicationPassword ? { replicationPassword: input.replicationPassword } : {}),
    ...(input.caCertificate ? { caCertificate: input.caCertificate } : {}),
  };
  const linking = record.linking;
  let relinked = false;

  function* release(error: WorkflowError | null): Generator<df.Task, void, unknown> {
    const releaseInput: ReleaseLinkInput = {
      id: input.id,
      heldAs: "rotating",
      at: at(),
      // A rotation that could not put the old link back leaves a link that does not replicate: say so.
      state: report.rolledBack === false ? "failed" : "replicating",
      lastError: error ? `${error.code}: ${error.message}` : null,
      ...(report.outcome === "succeeded"
        ? {
            changes: {
              replicationPassword: newSource.replicationPassword,
              caCertificate: newSource.caCertificate ?? null,
              ...(report.coordinates
                ? { binlogFile: report.coordinates.file, binlogPosition: report.coordinates.position }
                : {}),
            },
          }
        : {}),
    };
    yield context.df.callActivityWithRetry(RELEASE_LINK_ACTIVITY, REGISTRY_RETRY, releaseInput);
  }

  /** Starts replication and watches it (the provisioning's step); the error that ends it, or null once it runs. */
  function* startAndVerifyLink(): Generator<df.Task, WorkflowError | null, unknown> {
    try {
      yield* startAndVerify(context, {
        replica,
        fqdn,
        timing: input.timing,
        unavailableMessage: "Starting replication failed after retries",
        diagnose: (errno, message) => diagnoseReplicationError(errno, message),
        diagnoseTransientAtDeadline: false,
        onReplication: (replication) => {
          report.replication = replication;
        },
      });
      return null;
    } catch (failure) {
      if (failure instanceof StepFailed) return failure.error;
      throw failure;
    }
  }

  function* fail(error: WorkflowError): Generator<df.Task, OperationReport, unknown> {
    report.error = error;
    if (relinked) {
      // Put the old link back at what has been applied by now, and start it again.
      steps.begin("rollingBack");
      try {
        const relinkInput: RelinkReplicaInput = { replica, fqdn, source: oldSource, linking };
        const result = decode(
          relinkReplicaResultSchema,
          RELINK_REPLICA_ACTIVITY,
          yield context.df.callActivityWithRetry(RELINK_REPLICA_ACTIVITY, ROLLBACK_RETRY, relinkInput),
        );
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
        report.rollback.push(
          `re-linked with the previous password and CA ${
            result.value.coordinates
              ? `at ${result.value.coordinates.file}:${result.value.coordinates.position}`
              : "by GTID auto-position"
          }`,
        );
        const started = yield* startAndVerifyLink();
        if (started) throw new Error(`${started.code}: ${started.message}`);
        report.rollback.push("replication runs again with the previous values");
        report.rolledBack = true;
      } catch (rollbackError) {
        report.rolledBack = false;
        report.rollback.push(`putting the old link back failed: ${firstLine(rollbackError)}`);
        report.error = {
          ...error,
          message: `${error.message} Rollback also failed: ${firstLine(rollbackError)}`,
        };
      }
    }
    steps.end();
    yield* release(report.error);
    return report;
  }

  // 1. The new values must work on the source before the running link is touched.
  steps.begin("validating");
  try {
    const loginInput: CheckSourceLoginInput = { source: newSource };
    const login = decode(
      checkSourceLoginResultSchema,
      CHECK_SOURCE_LOGIN_ACTIVITY,
      yield context.df.callActivityWithRetry(CHECK_SOURCE_LOGIN_ACTIVITY, MYSQL_RETRY, loginInput),
    );
    if (!login.ok) return yield* fail(login.error);
    report.checks.push({
      code: "NEW_CREDENTIALS_LOGIN",
      status: newSource.caCertificate && !login.value.tls ? "fail" : "pass",
      message: `${record.replicationUser} logs in to the source with the new values${
        login.value.tls ? ` over TLS (${login.value.cipher ?? "?"})` : " without TLS"
      }.`,
      remedy: "",
    });
  } catch (error) {
    return yield* fail({
      code: "SOURCE_UNAVAILABLE",
      message: `The source could not be reached to try the new values: ${firstLine(error)}`,
      remedy: "Check that the source is up and reachable, then PATCH again. Nothing was changed.",
    });
  }

  // 2. Re-link at the applied position with the new values.
  steps.begin("relinking");
  relinked = true;
  try {
    const relinkInput: RelinkReplicaInput = { replica, fqdn, source: newSource, linking };
    const result = decode(
      relinkReplicaResultSchema,
      RELINK_REPLICA_ACTIVITY,
      yield context.df.callActivityWithRetry(RELINK_REPLICA_ACTIVITY, MYSQL_RETRY, relinkInput),
    );
    if (!result.ok) {
      // The link was not ours to touch, or is gone: nothing to put back.
      if (result.error.code === "LINK_MISSING" || result.error.code === "LINK_CONFLICT") relinked = false;
      return yield* fail(result.error);
    }
    report.coordinates = result.value.coordinates;
    report.gtidExecuted = result.value.gtidExecuted;
    report.changes.push(
      `stopped replication and re-linked ${
        result.value.coordinates
          ? `at the applied position ${result.value.coordinates.file}:${result.value.coordinates.position}`
          : `by GTID auto-position from ${result.value.gtidExecuted || "an empty GTID set"}`
      } with the new ${[
        input.replicationPassword ? "password" : "",
        input.caCertificate ? "CA certificate" : "",
      ]
        .filter(Boolean)
        .join(" and ")}`,
    );
  } catch (error) {
    return yield* fail({
      code: "RELINK_FAILED",
      message: `Re-linking failed after retries: ${firstLine(error)}`,
      remedy: "Check that the replica is reachable from this app.",
    });
  }

  // 3. Start and verify.
  steps.begin("starting");
  const started = yield* startAndVerifyLink();
  if (started) return yield* fail(started);
  report.changes.push("replication runs with the new values");
  report.outcome = "succeeded";
  report.nextSteps = [
    input.replicationPassword
      ? "Retire the old password on the source (ALTER USER ... DISCARD OLD PASSWORD if you used RETAIN CURRENT PASSWORD) and delete the old secret."
      : "",
    input.caCertificate ? "The source's old CA may now be retired." : "",
  ].filter(Boolean);
  steps.end();
  yield* release(null);
  if (!context.df.isReplaying) context.log(`[${input.id}] rotated`);
  return report;
}
