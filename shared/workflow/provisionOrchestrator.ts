// The provisioning workflow, as its runbook: assess, open the firewall, reset GTID, seed, filter tables, link, start and verify, register; undo on failure.
import type * as df from "durable-functions";
import { z } from "zod";
import {
  type ProvisionInput,
  type ProvisionReport,
  type WorkflowError,
  secretReferenceInputSchema as secretReference,
  timingInputSchema,
} from "./provisionTypes";
import { diagnoseReplicationError } from "../errors/mysqlErrors";
import { sourceFirewallInstruction } from "../domain/firewall";
import { StepFailed } from "./steps/callActivity";
import { orchestrationInput } from "./steps/orchestrationInput";
import { ProvisionRun } from "./steps/provisionRun";
import { type Assessment, assess } from "./steps/assess";
import { filterTables, link, load, openFirewall, register, resetGtid } from "./steps/changes";
import { startAndVerify } from "./steps/startAndVerify";
import { rollBack } from "./steps/rollBack";

export const PROVISION_ORCHESTRATOR = "provisionReplication";

/** Timing knobs the orchestrator needs; read by the HTTP starter from app settings and passed in the input. */
export interface ProvisionTiming {
  verifyBudgetSeconds: number;
  verifyFirstIntervalSeconds: number;
}

export interface ProvisionOrchestrationInput extends ProvisionInput {
  timing: ProvisionTiming;
}

const inputSchema = z.object({
  id: z.string().min(1),
  requestedAt: z.string(),
  source: z.object({
    host: z.string(),
    port: z.number(),
    replicationUser: z.string(),
    replicationPassword: secretReference,
    caCertificate: z.string().optional(),
    inspectionUser: z.string().optional(),
    inspectionPassword: secretReference.optional(),
  }),
  replica: z.object({
    kind: z.enum(["single", "flexible"]),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    serverName: z.string(),
    adminUser: z.string(),
    adminPassword: secretReference,
    outboundAddress: z.string().optional(),
    resetGtid: z.object({ gtidSet: z.string().min(1) }).optional(),
  }),
  linking: z.enum(["binlogPosition", "gtid"]).optional(),
  binlog: z.object({ file: z.string(), position: z.number() }).optional(),
  policy: z.object({ skipErrors: z.array(z.object({ errno: z.number(), maxSkips: z.number() })) }).optional(),
  heartbeat: z
    .object({ writerUser: z.string(), writerPassword: secretReference, database: z.string() })
    .optional(),
  initialLoad: z
    .object({
      databases: z.union([z.literal("all"), z.array(z.string())]),
      parallelism: z.number().int().positive(),
      existingTables: z.enum(["refuse", "replace"]),
    })
    .optional(),
  filters: z.object({ ignoreTables: z.array(z.string()).min(1) }).optional(),
  timing: timingInputSchema,
});

export function* provisionOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, ProvisionReport, unknown> {
  const run = new ProvisionRun(context, orchestrationInput(context, inputSchema));
  try {
    yield* runbook(run);
  } catch (failure) {
    if (failure instanceof StepFailed) return yield* rollBack(run, failure.error);
    throw failure;
  }
  run.end();
  run.report.state = "replicating";
  run.publish();
  run.log("replicating");
  return run.report;
}

/** Each step throws StepFailed to end the run; each that changes something first adds its undo to run.undo. */
function* runbook(run: ProvisionRun): Generator<df.Task, void, unknown> {
  const { input } = run;
  const assessment = yield* assess(run);
  // Single Server: the replica's firewall admits the source. Flexible Server connects out to the source, whose
  // firewall this app cannot change: the report names the address to admit, and a refusal after start is diagnosed
  // as the source's firewall.
  if (assessment.inspection.firewallDirection === "replicaAdmitsSource") yield* openFirewall(run, assessment);
  const resetGtidTo = input.replica.resetGtid?.gtidSet;
  if (resetGtidTo !== undefined && assessment.linking === "gtid") yield* resetGtid(run, resetGtidTo);
  const loadCoordinates =
    input.initialLoad && assessment.loadPlan
      ? yield* load(run, assessment.fqdn, assessment.loadPlan, input.initialLoad.parallelism)
      : null;
  const wantedFilter = assessment.inspection.tableFilter;
  if (input.filters && wantedFilter) yield* filterTables(run, input.filters.ignoreTables, wantedFilter);
  yield* link(run, assessment, loadCoordinates);
  run.begin("starting");
  yield* startAndVerify(run.context, {
    replica: input.replica,
    fqdn: assessment.fqdn,
    timing: input.timing,
    unavailableMessage: "Starting or watching replication failed after retries",
    diagnose: (errno, message) => diagnose(run, assessment, errno, message),
    diagnoseTransientAtDeadline: true,
    onReplication: (replication) => {
      run.report.replication = replication;
    },
    onWait: () => run.enter("verifying"),
  });
  yield* register(run);
}

/** A connection refused from a replica that connects out is, first of all, the source's firewall. */
function diagnose(run: ProvisionRun, assessment: Assessment, errno: number, message: string): WorkflowError {
  const diagnosis = diagnoseReplicationError(errno, message, assessment.sourceIdentity);
  if (errno !== 2003 || assessment.inspection.firewallDirection !== "sourceAdmitsReplica") return diagnosis;
  const { source, replica } = run.input;
  const address = replica.outboundAddress;
  return {
    code: "SOURCE_FIREWALL_BLOCKS_REPLICA",
    message: `The replica cannot connect to the source ${source.host}:${source.port} (error 2003): the source's firewall must admit ${address ?? "the replica's outbound address"}. ${diagnosis.message}`,
    remedy: sourceFirewallInstruction(assessment.fqdn, address),
  };
}
