// Activity: link the replica to the source by binlog coordinates or by GTID; an identical existing link is success.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { replicaAdminPurpose, sourcePurpose } from "../../secrets/secretBinding";
import { failed, outcomeSchema, secretFailure, succeeded, transientError } from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink, linkSourceOf } from "../../domain/linkIdentity";
import { callChangeMaster, callChangeMasterWithGtid } from "../../replica/replicaSql";
import {
  MysqlSession,
  binaryLogStatusStatement,
  cellText,
  readGlobalVariables,
  readServerIdentity,
} from "../../mysql/mysqlSession";
import { type LinkingMethod } from "../../source/gtidChecks";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";
import { pinSourceAddress } from "../../source/sourceAddress";

export const LINK_REPLICA_ACTIVITY = "linkReplica";

export interface LinkReplicaInput {
  replica: ReplicaSpec;
  fqdn: string;
  source: SourceSpec;
  binlog?: { file: string; position: number };
  /** Omitted by histories from before GTID linking: binlogPosition. */
  linking?: LinkingMethod;
}

export const linkReplicaResultSchema = outcomeSchema(
  z.object({
    /** null for a GTID link. */
    coordinates: z.object({ file: z.string(), position: z.number() }).nullable(),
    /** The replica's GTID position the link resumes from (GTID links only). */
    gtidPosition: z.string().nullable(),
    alreadyLinked: z.boolean(),
  }),
);
export type LinkReplicaResult = z.infer<typeof linkReplicaResultSchema>;

/** The GTID state a GTID link resumes from: the replica's gtid_executed (SOURCE_AUTO_POSITION=1 asks for the rest). */
async function replicaGtidPosition(session: MysqlSession): Promise<string> {
  const variables = await readGlobalVariables(session, ["gtid_executed"]);
  return (variables.get("gtid_executed") ?? "").replace(/\s+/g, "");
}

async function currentSourceCoordinates(
  deps: WorkflowDependencies,
  source: SourceSpec,
  user: string,
  password: string,
): Promise<{ file: string; position: number } | null> {
  const session = await MysqlSession.open({
    host: await pinSourceAddress(source.host, deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
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

export function createLinkReplicaActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<LinkReplicaInput, LinkReplicaResult> {
  return async (input: LinkReplicaInput): Promise<LinkReplicaResult> => {
    const dependencies = deps();
    const secretValues: string[] = [];
    let adminPassword: string;
    let replicationPassword: string;
    let inspectionPassword: string | undefined;
    try {
      adminPassword = await dependencies.secrets.resolve(
        input.replica.adminPassword,
        replicaAdminPurpose(input.replica),
      );
      replicationPassword = await dependencies.secrets.resolve(
        input.source.replicationPassword,
        sourcePurpose(
          "source.replicationPassword",
          "source-replication",
          input.source,
          input.source.replicationUser,
        ),
      );
      inspectionPassword = input.source.inspectionPassword
        ? await dependencies.secrets.resolve(
            input.source.inspectionPassword,
            sourcePurpose(
              "source.inspectionPassword",
              "source-inspection",
              input.source,
              input.source.inspectionUser ?? "",
            ),
          )
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
          if (isSameLink(status, linkSourceOf(input.source))) {
            return succeeded(
              input.linking === "gtid"
                ? {
                    coordinates: null,
                    gtidPosition: await replicaGtidPosition(opened.session),
                    alreadyLinked: true,
                  }
                : {
                    coordinates: {
                      file: status.sourceLogFile ?? input.binlog?.file ?? "",
                      position: status.readSourceLogPos ?? 0,
                    },
                    gtidPosition: null,
                    alreadyLinked: true,
                  },
            );
          }
          return failed(
            "LINK_CONFLICT",
            `The replica already replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}.`,
            "Delete that link first (DELETE /api/replications/{id}, or CALL mysql.az_replication_remove_master on the replica), then provision again.",
          );
        }
        if (input.linking === "gtid") {
          const gtidPosition = await replicaGtidPosition(opened.session);
          await callChangeMasterWithGtid(opened.session, {
            sourceHost: input.source.host,
            sourceUser: input.source.replicationUser,
            sourcePassword: replicationPassword,
            sourcePort: input.source.port,
            sslCa: input.source.caCertificate ?? "",
          });
          return succeeded({ coordinates: null, gtidPosition, alreadyLinked: false });
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
        return succeeded({ coordinates, gtidPosition: null, alreadyLinked: false });
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
        "See the replica's error above; az_replication_change_master(_with_gtid) refuses while replication runs (stop it first).",
      );
    }
  };
}
