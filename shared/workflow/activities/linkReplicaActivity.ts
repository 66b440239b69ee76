// Activity: link the replica to the source by binlog coordinates or by GTID; an identical existing link is success.
import { z } from "zod";
import { activity } from "./activityHandler";
import { failed, outcomeSchema, succeeded } from "./activityOutcome";
import { linkEndsInputSchema, withReplicaSession } from "./replicaSession";
import { onSource, readSourceCoordinates, readerLogin, resolveSourcePasswords } from "./sourceSession";
import { type WorkflowDependencies } from "../dependencies";
import { binlogCoordinatesSchema, linkingMethodSchema } from "../../request/provisionRequest";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink, linkSourceOf } from "../../domain/linkIdentity";
import { callChangeMaster, callChangeMasterWithGtid } from "../../replica/replicaSql";
import { type MysqlSession, readGlobalVariables } from "../../mysql/mysqlSession";
import { isTransientMysqlError } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const LINK_REPLICA_ACTIVITY = "linkReplica";

export const linkReplicaInputSchema = linkEndsInputSchema.extend({
  binlog: binlogCoordinatesSchema.optional(),
  /** Omitted by histories from before GTID linking: binlogPosition. */
  linking: linkingMethodSchema.optional(),
});
export type LinkReplicaInput = z.infer<typeof linkReplicaInputSchema>;

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

export function createLinkReplicaActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: LINK_REPLICA_ACTIVITY,
    input: linkReplicaInputSchema,
    run: async (input): Promise<LinkReplicaResult> => {
      const dependencies = deps();
      const passwords = await resolveSourcePasswords(dependencies, input.source);
      if (!passwords.ok) return passwords;
      const { replication: replicationPassword, all: sourceSecrets } = passwords.value;
      return withReplicaSession(
        dependencies,
        { replica: input.replica, fqdn: input.fqdn, otherSecrets: sourceSecrets },
        ({ errno, message }) => ({
          code: "LINK_FAILED",
          message: `Linking the replica failed: ${errno ? `error ${errno}: ` : ""}${message}`,
          remedy:
            "See the replica's error above; az_replication_change_master(_with_gtid) refuses while replication runs (stop it first).",
        }),
        async (opened): Promise<LinkReplicaResult> => {
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
            const login = readerLogin(input.source, passwords.value);
            try {
              coordinates = await onSource(dependencies, input.source, login, readSourceCoordinates);
            } catch (error) {
              if (isTransientMysqlError(error)) throw error;
              return failed(
                "COORDINATES_UNAVAILABLE",
                redactSecrets(
                  `The source's current binlog coordinates cannot be read as ${login.user}: ${(error as Error).message}`,
                  sourceSecrets,
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
        },
      );
    },
  });
}
