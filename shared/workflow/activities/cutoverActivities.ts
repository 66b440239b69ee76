// Activities of a cutover: read the source's written position, the replica's applied one, stop or start replication, compare checksums.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { replicaAdminPurpose, sourcePurpose } from "../../secrets/secretBinding";
import {
  type ActivityOutcome,
  failed,
  outcomeSchema,
  secretFailure,
  succeeded,
  transientError,
} from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import {
  type ReplicaSpec,
  type ReplicationSummary,
  type SourceSpec,
  replicationSummarySchema,
  summariseReplication,
} from "../provisionTypes";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { callStart, callStop } from "../../replica/replicaSql";
import {
  MysqlSession,
  binaryLogStatusStatement,
  cellText,
  readGlobalVariables,
  readServerIdentity,
} from "../../mysql/mysqlSession";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";
import { pinSourceAddress } from "../../source/sourceAddress";

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

export interface ReadSourcePositionInput {
  source: SourceSpec;
}

export interface ReadReplicaProgressInput {
  replica: ReplicaSpec;
  fqdn: string;
}

export interface SetReplicationRunningInput extends ReadReplicaProgressInput {
  running: boolean;
}

/** The inspection login when the link has one (it holds REPLICATION CLIENT and SELECT), else the replication user. */
async function openSource(
  deps: WorkflowDependencies,
  source: SourceSpec,
): Promise<{ session: MysqlSession; secrets: string[]; user: string }> {
  const inspection = source.inspectionUser && source.inspectionPassword;
  const user = inspection ? (source.inspectionUser ?? "") : source.replicationUser;
  const password = await deps.secrets.resolve(
    inspection && source.inspectionPassword ? source.inspectionPassword : source.replicationPassword,
    inspection
      ? sourcePurpose("source.inspectionPassword", "source-inspection", source, user)
      : sourcePurpose("source.replicationPassword", "source-replication", source, user),
  );
  const session = await MysqlSession.open({
    host: await pinSourceAddress(source.host, deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
    port: source.port,
    user,
    password,
    tls: source.caCertificate ? { ca: source.caCertificate } : false,
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  });
  return { session, secrets: [password], user };
}

function permanentSourceFailure(error: unknown, secrets: string[], user: string): ActivityOutcome<never> {
  if (isTransientMysqlError(error)) throw transientError(error, secrets);
  const errno = mysqlErrno(error);
  return failed(
    "SOURCE_UNREADABLE",
    redactSecrets(
      `Reading the source as ${user} failed${errno ? ` (error ${errno})` : ""}: ${(error as Error).message}`,
      secrets,
    ),
    "The link's inspection (or replication) login must work and hold REPLICATION CLIENT and SELECT.",
  );
}

export function createReadSourcePositionActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ReadSourcePositionInput, ReadSourcePositionResult> {
  return async (input: ReadSourcePositionInput): Promise<ReadSourcePositionResult> => {
    const dependencies = deps();
    let opened: Awaited<ReturnType<typeof openSource>>;
    try {
      opened = await openSource(dependencies, input.source);
    } catch (error) {
      if ((error as { name?: string }).name === "SecretResolutionError") return secretFailure(error);
      return permanentSourceFailure(error, [], input.source.inspectionUser ?? input.source.replicationUser);
    }
    try {
      const identity = await readServerIdentity(opened.session);
      const variables = await readGlobalVariables(opened.session, [
        "read_only",
        "super_read_only",
        "gtid_executed",
      ]);
      const [row] = await opened.session.query(binaryLogStatusStatement(identity));
      const on = (name: string) => ["1", "ON"].includes((variables.get(name) ?? "").toUpperCase());
      return succeeded({
        readOnly: on("read_only"),
        superReadOnly: on("super_read_only"),
        file: row?.File ? cellText(row.File) : null,
        position: row?.Position === undefined ? null : Number(row.Position),
        gtidExecuted: (variables.get("gtid_executed") ?? "").replace(/\s+/g, ""),
      });
    } catch (error) {
      return permanentSourceFailure(error, opened.secrets, opened.user);
    } finally {
      await opened.session.close();
    }
  };
}

async function withReplica<T>(
  deps: WorkflowDependencies,
  replica: ReplicaSpec,
  fqdn: string,
  work: (opened: Awaited<ReturnType<typeof openReplicaSession>>) => Promise<ActivityOutcome<T>>,
): Promise<ActivityOutcome<T>> {
  let adminPassword: string;
  try {
    adminPassword = await deps.secrets.resolve(replica.adminPassword, replicaAdminPurpose(replica));
  } catch (error) {
    return secretFailure(error);
  }
  try {
    const opened = await openReplicaSession(deps, replica, fqdn, adminPassword);
    try {
      return await work(opened);
    } finally {
      await opened.session.close();
    }
  } catch (error) {
    if (isTransientMysqlError(error)) throw transientError(error, [adminPassword]);
    const errno = mysqlErrno(error);
    return failed(
      "REPLICA_UNREADABLE",
      redactSecrets(
        `The replica refused the request${errno ? ` (error ${errno})` : ""}: ${(error as Error).message}`,
        [adminPassword],
      ),
      "Check the replica admin login and the replica's state.",
    );
  }
}

async function progressOf(opened: Awaited<ReturnType<typeof openReplicaSession>>): Promise<ReplicaProgress> {
  const status = await readReplicationStatus(opened.session, opened.identity);
  const variables = await readGlobalVariables(opened.session, ["gtid_executed"]);
  const replication = summariseReplication({
    ...status,
    lastIoError: redactSecrets(status.lastIoError, [opened.adminPassword]),
    lastSqlError: redactSecrets(status.lastSqlError, [opened.adminPassword]),
  });
  return {
    replication,
    configured: status.configured,
    appliedFile: status.execSourceLogFile,
    appliedPosition: status.execSourceLogPos,
    gtidExecuted: (variables.get("gtid_executed") ?? "").replace(/\s+/g, ""),
  };
}

export function createReadReplicaProgressActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ReadReplicaProgressInput, ReadReplicaProgressResult> {
  return async (input: ReadReplicaProgressInput): Promise<ReadReplicaProgressResult> =>
    withReplica(deps(), input.replica, input.fqdn, async (opened) => succeeded(await progressOf(opened)));
}

/** Stops or starts replication (both idempotent) and returns the progress after it. */
export function createSetReplicationRunningActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<SetReplicationRunningInput, ReadReplicaProgressResult> {
  return async (input: SetReplicationRunningInput): Promise<ReadReplicaProgressResult> =>
    withReplica(deps(), input.replica, input.fqdn, async (opened) => {
      if (input.running) await callStart(opened.session);
      else await callStop(opened.session);
      return succeeded(await progressOf(opened));
    });
}

export interface CompareChecksumsInput {
  source: SourceSpec;
  replica: ReplicaSpec;
  fqdn: string;
  /** `db.table` names, validated by the request schema. */
  tables: string[];
}

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

export function createCompareChecksumsActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<CompareChecksumsInput, CompareChecksumsResult> {
  return async (input: CompareChecksumsInput): Promise<CompareChecksumsResult> => {
    const dependencies = deps();
    let opened: Awaited<ReturnType<typeof openSource>>;
    try {
      opened = await openSource(dependencies, input.source);
    } catch (error) {
      if ((error as { name?: string }).name === "SecretResolutionError") return secretFailure(error);
      return permanentSourceFailure(error, [], input.source.inspectionUser ?? input.source.replicationUser);
    }
    let onSource: Map<string, string | null>;
    try {
      onSource = await checksums(opened.session, input.tables);
    } catch (error) {
      return permanentSourceFailure(error, opened.secrets, opened.user);
    } finally {
      await opened.session.close();
    }
    return withReplica(dependencies, input.replica, input.fqdn, async (replica) => {
      const onReplica = await checksums(replica.session, input.tables);
      return succeeded(
        input.tables.map((table) => {
          const source = onSource.get(table) ?? null;
          const copy = onReplica.get(table) ?? null;
          return { table, source, replica: copy, equal: source !== null && source === copy };
        }),
      );
    });
  };
}
