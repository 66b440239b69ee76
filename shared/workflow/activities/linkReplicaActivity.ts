// Activity: link the replica to the source with az_replication_change_master; an identical existing link is success.
import { type ActivityOutcome, failed, secretFailure, succeeded, transientError } from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { callChangeMaster } from "../../replica/replicaSql";
import {
  MysqlSession,
  binaryLogStatusStatement,
  cellText,
  readServerIdentity,
} from "../../mysql/mysqlSession";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const LINK_REPLICA_ACTIVITY = "linkReplica";

export interface LinkReplicaInput {
  replica: ReplicaSpec;
  fqdn: string;
  source: SourceSpec;
  binlog?: { file: string; position: number };
}

export type LinkReplicaResult = ActivityOutcome<{
  coordinates: { file: string; position: number };
  alreadyLinked: boolean;
}>;

/** The replica already replicates from this source as this user. */
export function isSameLink(
  status: ReplicationStatus,
  source: Pick<SourceSpec, "host" | "port" | "replicationUser">,
): boolean {
  return (
    status.configured &&
    status.sourceHost === source.host &&
    status.sourcePort === source.port &&
    status.sourceUser === source.replicationUser
  );
}

async function currentSourceCoordinates(
  deps: WorkflowDependencies,
  source: SourceSpec,
  user: string,
  password: string,
): Promise<{ file: string; position: number } | null> {
  const session = await MysqlSession.open({
    host: source.host,
    port: source.port,
    user,
    password,
    tls: source.caCertificate ? { ca: source.caCertificate } : false,
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  });
  try {
    const identity = await readServerIdentity(session);
    const [row] = await session.query(binaryLogStatusStatement(identity));
    return row?.File ? { file: cellText(row.File), position: Number(row.Position) } : null;
  } finally {
    await session.close();
  }
}

export function createLinkReplicaActivity(deps: () => WorkflowDependencies) {
  return async (input: LinkReplicaInput): Promise<LinkReplicaResult> => {
    const dependencies = deps();
    const secretValues: string[] = [];
    let adminPassword: string;
    let replicationPassword: string;
    let inspectionPassword: string | undefined;
    try {
      adminPassword = await dependencies.secrets.resolve(input.replica.adminPassword);
      replicationPassword = await dependencies.secrets.resolve(input.source.replicationPassword);
      inspectionPassword = input.source.inspectionPassword
        ? await dependencies.secrets.resolve(input.source.inspectionPassword)
        : undefined;
      secretValues.push(
        adminPassword,
        replicationPassword,
        ...(inspectionPassword ? [inspectionPassword] : []),
      );
    } catch (error) {
      return secretFailure(error);
    }
    try {
      const opened = await openReplicaSession(dependencies, input.replica, input.fqdn, adminPassword);
      try {
        const status = await readReplicationStatus(opened.session, opened.identity);
        if (status.configured) {
          if (isSameLink(status, input.source)) {
            return succeeded({
              coordinates: {
                file: status.sourceLogFile ?? input.binlog?.file ?? "",
                position: status.readSourceLogPos ?? 0,
              },
              alreadyLinked: true,
            });
          }
          return failed(
            "LINK_CONFLICT",
            `The replica already replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}.`,
            "Delete that link first (DELETE /api/replications/{id}, or CALL mysql.az_replication_remove_master on the replica), then provision again.",
          );
        }
        let coordinates = input.binlog ?? null;
        if (!coordinates) {
          const user = input.source.inspectionUser ?? input.source.replicationUser;
          const password = inspectionPassword ?? replicationPassword;
          try {
            coordinates = await currentSourceCoordinates(dependencies, input.source, user, password);
          } catch (error) {
            if (isTransientMysqlError(error)) throw error;
            return failed(
              "COORDINATES_UNAVAILABLE",
              redactSecrets(
                `The source's current binlog coordinates cannot be read as ${user}: ${(error as Error).message}`,
                secretValues,
              ),
              "Give binlog {file, position} from the dump that seeded the replica, or an inspection account with REPLICATION CLIENT (MySQL) / BINLOG MONITOR (MariaDB).",
            );
          }
          if (!coordinates) {
            return failed(
              "COORDINATES_UNAVAILABLE",
              "The source reports no binlog status (is log_bin on?).",
              "Enable binary logging on the source, or give binlog {file, position}.",
            );
          }
        }
        await callChangeMaster(opened.session, {
          sourceHost: input.source.host,
          sourceUser: input.source.replicationUser,
          sourcePassword: replicationPassword,
          sourcePort: input.source.port,
          logFile: coordinates.file,
          logPosition: coordinates.position,
          sslCa: input.source.caCertificate ?? "",
        });
        return succeeded({ coordinates, alreadyLinked: false });
      } finally {
        await opened.session.close();
      }
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, secretValues);
      const errno = mysqlErrno(error);
      return failed(
        "LINK_FAILED",
        redactSecrets(
          `Linking the replica failed: ${errno ? `error ${errno}: ` : ""}${(error as Error).message}`,
          secretValues,
        ),
        "See the replica's error above; az_replication_change_master refuses while replication runs (stop it first).",
      );
    }
  };
}
