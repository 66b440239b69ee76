// Cutover: wait until the replica has applied all the source wrote, optionally compare checksums, then stop, unlink and mark the link cutOver.
import type * as df from "durable-functions";
import { z } from "zod";
import { MYSQL_RETRY, REGISTRY_RETRY, ROLLBACK_RETRY } from "./retryPolicies";
import { type WorkflowError } from "./provisionTypes";
import { firewallRuleNameFor } from "../domain/firewall";
import { RELEASE_LINK_ACTIVITY, type ReleaseLinkInput } from "./activities/linkClaimActivities";
import {
  COMPARE_CHECKSUMS_ACTIVITY,
  READ_REPLICA_PROGRESS_ACTIVITY,
  READ_SOURCE_POSITION_ACTIVITY,
  SET_REPLICATION_RUNNING_ACTIVITY,
  type CompareChecksumsInput,
  compareChecksumsResultSchema,
  readReplicaProgressResultSchema,
  readSourcePositionResultSchema,
  type ReplicaProgress,
  type SourcePosition,
} from "./activities/cutoverActivities";
import {
  ROLLBACK_ACTIVITY,
  type RollbackInput,
  type RollbackResult,
  rollbackResultSchema,
} from "./activities/rollbackActivity";
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
import { isPermanentReplicationError } from "../errors/mysqlErrors";
import { mysqlGtidSubset, parseMysqlGtidSet } from "../source/gtidSets";

export const CUTOVER_ORCHESTRATOR = "cutOverReplication";

export interface CutoverInput {
  id: string;
  /** true: the source must report read_only (or super_read_only); false: the caller says writes have stopped. */
  requireSourceReadOnly: boolean;
  /** How long to wait for the replica to catch up before giving up (nothing changed then). */
  catchUpTimeoutSeconds: number;
  /** Refused at once when the replica is further behind than this. */
  maxLagSeconds: number;
  pollIntervalSeconds: number;
  /** `db.table` names whose CHECKSUM TABLE must be equal on both sides before the link is removed. */
  checksumTables: string[];
}

const inputSchema = z.object({
  id: z.string().min(1),
  requireSourceReadOnly: z.boolean(),
  catchUpTimeoutSeconds: z.number().positive(),
  maxLagSeconds: z.number().nonnegative(),
  pollIntervalSeconds: z.number().positive(),
  checksumTables: z.array(z.string()),
});

const MAX_LAG_SAMPLES = 20;

function binlogSequence(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : -1;
}

/** Whether the replica has applied everything the source has written, by the link's own method. */
function caughtUp(
  method: "binlogPosition" | "gtid",
  source: SourcePosition,
  replica: ReplicaProgress,
): boolean {
  if (method === "gtid") {
    try {
      return mysqlGtidSubset(parseMysqlGtidSet(source.gtidExecuted), parseMysqlGtidSet(replica.gtidExecuted));
    } catch {
      return false;
    }
  }
  if (!source.file || source.position === null || !replica.appliedFile || replica.appliedPosition === null)
    return false;
  const sourceSeq = binlogSequence(source.file);
  const appliedSeq = binlogSequence(replica.appliedFile);
  if (appliedSeq !== sourceSeq) return appliedSeq > sourceSeq;
  return replica.appliedPosition >= source.position;
}

/** Why a link cannot be cut over as it is: a thread down or an error. null when it replicates. */
function brokenReason(progress: ReplicaProgress): string | null {
  const r = progress.replication;
  if (!progress.configured) return "the replica has no replication link";
  if (r.lastSqlError)
    return `the SQL thread stopped on error ${r.lastSqlError.number}: ${r.lastSqlError.message}`;
  if (r.lastIoError && isPermanentReplicationError(r.lastIoError.number))
    return `the IO thread stopped on error ${r.lastIoError.number}: ${r.lastIoError.message}`;
  if (r.sqlThread !== "Yes") return "the SQL thread is not running";
  // "Connecting" after a transient error (2003) is a reconnect, not a break: the wait goes on, bounded by its timeout.
  if (r.ioThread === "No")
    return `the IO thread is not running${r.lastIoError ? ` (error ${r.lastIoError.number}: ${r.lastIoError.message})` : ""}`;
  return null;
}

export function* cutoverOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, OperationReport, unknown> {
  const input = orchestrationInput(context, inputSchema);
  const report = emptyReport(input.id, "cutover");
  const steps = stepRecorder(context, report);
  const now = () => context.df.currentUtcDateTime;

  const claimed = yield* claimLink(context, report, steps, "cuttingOver", "cut over");
  if (!claimed) return report;
  const record = claimed;
  const replica = replicaSpecOf(record);
  const fqdn = record.replicaFqdn;
  const source = sourceSpecOf(record);
  const method = record.linking;
  let stopped = false;

  function* release(state: "replicating" | "cutOver" | "failed"): Generator<df.Task, void, unknown> {
    const releaseInput: ReleaseLinkInput = {
      id: input.id,
      heldAs: "cuttingOver",
      at: now().toISOString(),
      state,
      lastError: report.error ? `${report.error.code}: ${report.error.message}` : null,
      ...(state === "cutOver" && report.coordinates
        ? { changes: { binlogFile: report.coordinates.file, binlogPosition: report.coordinates.position } }
        : {}),
    };
    yield context.df.callActivityWithRetry(RELEASE_LINK_ACTIVITY, REGISTRY_RETRY, releaseInput);
  }

  /** Ends the run: replication is started again when this run stopped it, and the link goes back to replicating. */
  function* fail(
    error: WorkflowError,
    outcome: "failed" | "refused" = "failed",
  ): Generator<df.Task, OperationReport, unknown> {
    report.error = error;
    report.outcome = outcome;
    if (stopped) {
      steps.begin("rollingBack");
      try {
        const result = decode(
          readReplicaProgressResultSchema,
          SET_REPLICATION_RUNNING_ACTIVITY,
          yield context.df.callActivityWithRetry(SET_REPLICATION_RUNNING_ACTIVITY, ROLLBACK_RETRY, {
            replica,
            fqdn,
            running: true,
          }),
        );
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
        report.rollback.push("started replication again (az_replication_start)");
        report.rolledBack = true;
      } catch (rollbackError) {
        report.rolledBack = false;
        report.rollback.push(`starting replication again failed: ${firstLine(rollbackError)}`);
      }
    }
    steps.end();
    yield* release(report.rolledBack === false ? "failed" : "replicating");
    return report;
  }

  function* readSource(): Generator<df.Task, SourcePosition | WorkflowError, unknown> {
    try {
      const result = decode(
        readSourcePositionResultSchema,
        READ_SOURCE_POSITION_ACTIVITY,
        yield context.df.callActivityWithRetry(READ_SOURCE_POSITION_ACTIVITY, MYSQL_RETRY, { source }),
      );
      return result.ok ? result.value : result.error;
    } catch (error) {
      return {
        code: "SOURCE_UNREACHABLE",
        message: `The source ${record.sourceHost}:${record.sourcePort} could not be read after retries: ${firstLine(error)}`,
        remedy:
          "Bring the source back (the cutover needs its final position to know nothing is missing), then POST the cutover again.",
      };
    }
  }

  function* readReplica(): Generator<df.Task, ReplicaProgress | WorkflowError, unknown> {
    try {
      const result = decode(
        readReplicaProgressResultSchema,
        READ_REPLICA_PROGRESS_ACTIVITY,
        yield context.df.callActivityWithRetry(READ_REPLICA_PROGRESS_ACTIVITY, MYSQL_RETRY, {
          replica,
          fqdn,
        }),
      );
      return result.ok ? result.value : result.error;
    } catch (error) {
      return {
        code: "REPLICA_UNREACHABLE",
        message: `The replica could not be read after retries: ${firstLine(error)}`,
        remedy: "Check that the replica is reachable from this app, then POST the cutover again.",
      };
    }
  }
  const isError = (value: object): value is WorkflowError => "code" in value && "remedy" in value;

  // 1. Is the link fit to cut over, and has the source stopped taking writes?
  steps.begin("checking");
  const first = yield* readReplica();
  if (isError(first)) return yield* fail(first, "refused");
  report.replication = first.replication;
  const broken = brokenReason(first);
  if (broken) {
    return yield* fail(
      {
        code: "LINK_BROKEN",
        message: `Refused: ${broken}. Cutting over now would lose what the replica has not applied.`,
        remedy: "Repair replication (see GET /api/replications/{id} and its health), then cut over.",
      },
      "refused",
    );
  }
  const lag = first.replication.secondsBehindSource;
  if (lag !== null && lag > input.maxLagSeconds) {
    return yield* fail(
      {
        code: "LAGGING",
        message: `Refused: the replica is ${lag} s behind the source, beyond the bound of ${input.maxLagSeconds} s.`,
        remedy: "Let the replica catch up (or raise maxLagSeconds), then cut over.",
      },
      "refused",
    );
  }
  const sourceNow = yield* readSource();
  if (isError(sourceNow)) return yield* fail(sourceNow, "refused");
  report.checks.push({
    code: "SOURCE_READ_ONLY",
    status:
      sourceNow.readOnly || sourceNow.superReadOnly ? "pass" : input.requireSourceReadOnly ? "fail" : "warn",
    message:
      sourceNow.readOnly || sourceNow.superReadOnly
        ? `The source is read-only (read_only=${sourceNow.readOnly ? "ON" : "OFF"}, super_read_only=${sourceNow.superReadOnly ? "ON" : "OFF"}).`
        : input.requireSourceReadOnly
          ? "The source still accepts writes (read_only=OFF)."
          : "The source is not read-only; the caller says writes have stopped.",
    remedy: "SET GLOBAL super_read_only = ON on the source once the application no longer writes to it.",
  });
  if (input.requireSourceReadOnly && !sourceNow.readOnly && !sourceNow.superReadOnly) {
    return yield* fail(
      {
        code: "SOURCE_WRITABLE",
        message: "Refused: the source is not read-only, so it may still take writes the replica would miss.",
        remedy:
          "Stop the application's writes and SET GLOBAL super_read_only = ON on the source, or send requireSourceReadOnly: false to vouch that writes have stopped.",
      },
      "refused",
    );
  }

  // 2. Wait, on durable timers, until the replica has applied everything the source has written.
  steps.begin("waitingForReplica");
  const deadline = now().getTime() + input.catchUpTimeoutSeconds * 1000;
  let sourcePosition: SourcePosition = sourceNow;
  let progress: ReplicaProgress = first;
  for (;;) {
    const sample = {
      at: now().toISOString(),
      behindBytes:
        method === "binlogPosition" &&
        sourcePosition.file !== null &&
        sourcePosition.file === progress.appliedFile &&
        sourcePosition.position !== null &&
        progress.appliedPosition !== null
          ? Math.max(0, sourcePosition.position - progress.appliedPosition)
          : null,
      secondsBehindSource: progress.replication.secondsBehindSource,
    };
    report.lag = [...report.lag, sample].slice(-MAX_LAG_SAMPLES);
    steps.lag(sample);
    if (caughtUp(method, sourcePosition, progress)) break;
    const reason = brokenReason(progress);
    if (reason) {
      return yield* fail({
        code: "LINK_BROKEN",
        message: `Replication broke while catching up: ${reason}.`,
        remedy: "Repair replication, then cut over again. Nothing was changed.",
      });
    }
    if (now().getTime() + input.pollIntervalSeconds * 1000 > deadline) {
      return yield* fail({
        code: "CATCH_UP_TIMEOUT",
        message: `The replica had not applied everything the source wrote within ${input.catchUpTimeoutSeconds} s (source at ${
          method === "gtid"
            ? sourcePosition.gtidExecuted
            : `${sourcePosition.file}:${sourcePosition.position}`
        }, replica at ${method === "gtid" ? progress.gtidExecuted : `${progress.appliedFile}:${progress.appliedPosition}`}).`,
        remedy:
          "Check that writes to the source have stopped and the replica is not lagging; raise catchUpTimeoutSeconds if needed. Nothing was changed.",
      });
    }
    yield context.df.createTimer(new Date(now().getTime() + input.pollIntervalSeconds * 1000));
    const nextSource = yield* readSource();
    if (isError(nextSource)) return yield* fail(nextSource);
    const nextReplica = yield* readReplica();
    if (isError(nextReplica)) return yield* fail(nextReplica);
    sourcePosition = nextSource;
    progress = nextReplica;
    report.replication = progress.replication;
  }

  // 3. Stop, and make sure the source wrote nothing more meanwhile.
  steps.begin("stopping");
  try {
    const result = decode(
      readReplicaProgressResultSchema,
      SET_REPLICATION_RUNNING_ACTIVITY,
      yield context.df.callActivityWithRetry(SET_REPLICATION_RUNNING_ACTIVITY, MYSQL_RETRY, {
        replica,
        fqdn,
        running: false,
      }),
    );
    stopped = true;
    if (!result.ok) return yield* fail(result.error);
    progress = result.value;
  } catch (error) {
    stopped = true;
    return yield* fail({
      code: "STOP_FAILED",
      message: `Stopping replication failed after retries: ${firstLine(error)}`,
      remedy: "Check that the replica is reachable from this app.",
    });
  }
  report.changes.push("stopped replication (az_replication_stop)");
  const finalSource = yield* readSource();
  if (isError(finalSource)) return yield* fail(finalSource);
  if (!caughtUp(method, finalSource, progress)) {
    return yield* fail({
      code: "SOURCE_STILL_WRITING",
      message: "The source wrote more after the replica caught up; the replica would miss it.",
      remedy:
        "Stop the application's writes to the source (SET GLOBAL super_read_only = ON), then cut over again.",
    });
  }
  report.coordinates =
    progress.appliedFile && progress.appliedPosition !== null
      ? { file: progress.appliedFile, position: progress.appliedPosition }
      : null;
  report.gtidExecuted = progress.gtidExecuted || null;
  report.replication = progress.replication;

  // 4. Optionally compare checksums of named tables, with both sides quiet.
  if (input.checksumTables.length > 0) {
    steps.begin("comparing");
    try {
      const compareInput: CompareChecksumsInput = { source, replica, fqdn, tables: input.checksumTables };
      const result = decode(
        compareChecksumsResultSchema,
        COMPARE_CHECKSUMS_ACTIVITY,
        yield context.df.callActivityWithRetry(COMPARE_CHECKSUMS_ACTIVITY, MYSQL_RETRY, compareInput),
      );
      if (!result.ok) return yield* fail(result.error);
      report.checksums = result.value;
    } catch (error) {
      return yield* fail({
        code: "CHECKSUM_UNAVAILABLE",
        message: `Comparing checksums failed after retries: ${firstLine(error)}`,
        remedy: "Check that both servers are reachable, then cut over again.",
      });
    }
    const different = report.checksums.filter((item) => !item.equal).map((item) => item.table);
    if (different.length > 0) {
      return yield* fail({
        code: "CHECKSUM_MISMATCH",
        message: `CHECKSUM TABLE differs between source and replica for ${different.join(", ")}.`,
        remedy: "The replica's data drifted: re-seed those tables (or the replica) before cutting over.",
      });
    }
  }

  // 5. Remove the link and the firewall rule this app created; put the table filter parameter back.
  steps.begin("removingLink");
  const removeInput: RollbackInput = {
    replica,
    fqdn,
    removeLink: true,
    onlyIfSource: { host: record.sourceHost, port: record.sourcePort, user: record.replicationUser },
    deleteFirewallRule: record.firewallRuleCreatedByApp
      ? (record.firewallRuleName ?? firewallRuleNameFor(input.id))
      : null,
    // The promoted server no longer replicates: the table filter this link set comes off with the link.
    restoreTableFilter: record.tableFilters,
  };
  let removal: RollbackResult;
  try {
    removal = decode(
      rollbackResultSchema,
      ROLLBACK_ACTIVITY,
      yield context.df.callActivityWithRetry(ROLLBACK_ACTIVITY, ROLLBACK_RETRY, removeInput),
    );
  } catch (error) {
    removal = { ok: false, actions: [], error: firstLine(error) };
  }
  for (const action of removal.actions)
    if (action.outcome === "done") report.changes.push(`${action.action}: ${action.detail}`);
  if (!removal.ok) {
    // The link may be half-removed; starting it again is the best way back, and says so when it cannot.
    return yield* fail({
      code: "UNLINK_FAILED",
      message: `Removing the link failed: ${removal.error}`,
      remedy: "Retry the cutover; it resumes from the replica's state.",
    });
  }

  steps.end();
  report.outcome = "succeeded";
  report.nextSteps = [
    `Point the application's connections at the replica, ${fqdn} (port 3306, TLS).`,
    "Create the application's accounts and grants on the replica: the mysql schema (users, grants) is not replicated.",
    "Keep the source read-only until the application runs on the replica, then retire it.",
    ...(record.kind === "flexible"
      ? ["Remove the rule on the source's firewall that admitted the replica's outbound address."]
      : []),
  ];
  yield* release("cutOver");
  if (!context.df.isReplaying) context.log(`[${input.id}] cut over`);
  return report;
}
