// Activities of a cutover: read the source's written position, the replica's applied one, stop or start replication, compare checksums.
import { z } from "zod";
import { activity } from "./activityHandler";
import { type ActivityOutcome, type Refusal, outcomeSchema, succeeded } from "./activityOutcome";
import {
  type OpenReplicaSession,
  linkEndsInputSchema,
  redactStatus,
  replicaSessionInputSchema,
  withReplicaSession,
} from "./replicaSession";
import { readSourceCoordinates, withSourceSession } from "./sourceSession";
import { type WorkflowDependencies } from "../dependencies";
import {
  type ReplicationSummary,
  type WorkflowError,
  replicationSummarySchema,
  summariseReplication,
} from "../provisionTypes";
import { sourceSpecSchema } from "../../request/provisionRequest";
import { cutoverRequestSchema } from "../../request/linkOperationRequests";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { callStart, callStop } from "../../replica/replicaSql";
import { type MysqlSession, cellText, readGlobalVariables } from "../../mysql/mysqlSession";

export const READ_SOURCE_POSITION_ACTIVITY = "readSourcePosition";
export const READ_REPLICA_PROGRESS_ACTIVITY = "readReplicaProgress";
export const SET_REPLICATION_RUNNING_ACTIVITY = "setReplicationRunning";
export const COMPARE_CHECKSUMS_ACTIVITY = "compareChecksums";

export interface SourcePosition {
  readOnly: boolean;
  superReadOnly: boolean;
  file: string | null;
  position: number | null;
  gtidExecuted: string;
}

export const readSourcePositionResultSchema = outcomeSchema(
  z.object({
    readOnly: z.boolean(),
    superReadOnly: z.boolean(),
    file: z.string().nullable(),
    position: z.number().nullable(),
    gtidExecuted: z.string(),
  }),
) satisfies z.ZodType<ActivityOutcome<SourcePosition>>;
export type ReadSourcePositionResult = z.infer<typeof readSourcePositionResultSchema>;

export interface ReplicaProgress {
  replication: ReplicationSummary;
  configured: boolean;
  /** What the SQL thread has applied, in source coordinates. */
  appliedFile: string | null;
  appliedPosition: number | null;
  gtidExecuted: string;
}

export const readReplicaProgressResultSchema = outcomeSchema(
  z.object({
    replication: replicationSummarySchema,
    configured: z.boolean(),
    appliedFile: z.string().nullable(),
    appliedPosition: z.number().nullable(),
    gtidExecuted: z.string(),
  }),
) satisfies z.ZodType<ActivityOutcome<ReplicaProgress>>;
export type ReadReplicaProgressResult = z.infer<typeof readReplicaProgressResultSchema>;

export const readSourcePositionInputSchema = z.object({ source: sourceSpecSchema });
export type ReadSourcePositionInput = z.infer<typeof readSourcePositionInputSchema>;

export const readReplicaProgressInputSchema = replicaSessionInputSchema;
export type ReadReplicaProgressInput = z.infer<typeof readReplicaProgressInputSchema>;

export const setReplicationRunningInputSchema = readReplicaProgressInputSchema.extend({
  running: z.boolean(),
});
export type SetReplicationRunningInput = z.infer<typeof setReplicationRunningInputSchema>;

function sourceUnreadable({ errno, message }: Refusal, user: string): WorkflowError {
  return {
    code: "SOURCE_UNREADABLE",
    message: `Reading the source as ${user} failed${errno ? ` (error ${errno})` : ""}: ${message}`,
    remedy: "The link's inspection (or replication) login must work and hold REPLICATION CLIENT and SELECT.",
  };
}

function replicaUnreadable({ errno, message }: Refusal): WorkflowError {
  return {
    code: "REPLICA_UNREADABLE",
    message: `The replica refused the request${errno ? ` (error ${errno})` : ""}: ${message}`,
    remedy: "Check the replica admin login and the replica's state.",
  };
}

export function createReadSourcePositionActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: READ_SOURCE_POSITION_ACTIVITY,
    input: readSourcePositionInputSchema,
    run: (input): Promise<ReadSourcePositionResult> =>
      withSourceSession(deps(), { source: input.source, as: "reader" }, sourceUnreadable, async (session) => {
        const variables = await readGlobalVariables(session, [
          "read_only",
          "super_read_only",
          "gtid_executed",
        ]);
        const coordinates = await readSourceCoordinates(session);
        const on = (name: string) => ["1", "ON"].includes((variables.get(name) ?? "").toUpperCase());
        return succeeded({
          readOnly: on("read_only"),
          superReadOnly: on("super_read_only"),
          file: coordinates?.file ?? null,
          position: coordinates?.position ?? null,
          gtidExecuted: (variables.get("gtid_executed") ?? "").replace(/\s+/g, ""),
        });
      }),
  });
}

async function progressOf(opened: OpenReplicaSession): Promise<ReplicaProgress> {
  const status = await readReplicationStatus(opened.session, opened.identity);
  const variables = await readGlobalVariables(opened.session, ["gtid_executed"]);
  return {
    replication: summariseReplication(redactStatus(status, [opened.adminPassword])),
    configured: status.configured,
    appliedFile: status.execSourceLogFile,
    appliedPosition: status.execSourceLogPos,
    gtidExecuted: (variables.get("gtid_executed") ?? "").replace(/\s+/g, ""),
  };
}

export function createReadReplicaProgressActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: READ_REPLICA_PROGRESS_ACTIVITY,
    input: readReplicaProgressInputSchema,
    run: (input): Promise<ReadReplicaProgressResult> =>
      withReplicaSession(deps(), input, replicaUnreadable, async (opened) =>
        succeeded(await progressOf(opened)),
      ),
  });
}

/** Stops or starts replication (both idempotent) and returns the progress after it. */
export function createSetReplicationRunningActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: SET_REPLICATION_RUNNING_ACTIVITY,
    input: setReplicationRunningInputSchema,
    run: (input): Promise<ReadReplicaProgressResult> =>
      withReplicaSession(deps(), input, replicaUnreadable, async (opened) => {
        if (input.running) await callStart(opened.session);
        else await callStop(opened.session);
        return succeeded(await progressOf(opened));
      }),
  });
}

export const compareChecksumsInputSchema = linkEndsInputSchema.extend({
  /** `db.table` names of identifier characters, as the cutover request has them (quoted below). */
  tables: cutoverRequestSchema.shape.checksumTables,
});
export type CompareChecksumsInput = z.infer<typeof compareChecksumsInputSchema>;

export const compareChecksumsResultSchema = outcomeSchema(
  z.array(
    z.object({
      table: z.string(),
      source: z.string().nullable(),
      replica: z.string().nullable(),
      equal: z.boolean(),
    }),
  ),
);
export type CompareChecksumsResult = z.infer<typeof compareChecksumsResultSchema>;

function quoteName(name: string): string {
  const [db, table] = name.split(".");
  return `\`${(db ?? "").replace(/`/g, "``")}\`.\`${(table ?? "").replace(/`/g, "``")}\``;
}

async function checksums(session: MysqlSession, tables: string[]): Promise<Map<string, string | null>> {
  const result = new Map<string, string | null>();
  // Identifiers cannot be bound; the names are validated (db.table of identifier characters) and quoted.
  const rows = await session.query(`CHECKSUM TABLE ${tables.map(quoteName).join(", ")}`);
  tables.forEach((table, index) => {
    const value = rows[index]?.Checksum;
    result.set(table, value === null || value === undefined ? null : cellText(value));
  });
  return result;
}

export function createCompareChecksumsActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: COMPARE_CHECKSUMS_ACTIVITY,
    input: compareChecksumsInputSchema,
    run: async (input): Promise<CompareChecksumsResult> => {
      const dependencies = deps();
      const onSourceSide = await withSourceSession(
        dependencies,
        { source: input.source, as: "reader" },
        sourceUnreadable,
        async (session) => succeeded(await checksums(session, input.tables)),
      );
      if (!onSourceSide.ok) return onSourceSide;
      return withReplicaSession(dependencies, input, replicaUnreadable, async (replica) => {
        const onReplica = await checksums(replica.session, input.tables);
        return succeeded(
          input.tables.map((table) => {
            const source = onSourceSide.value.get(table) ?? null;
            const copy = onReplica.get(table) ?? null;
            return { table, source, replica: copy, equal: source !== null && source === copy };
          }),
        );
      });
    },
  });
}
