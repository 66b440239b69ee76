// Activity: link the replica to the source by binlog coordinates or by GTID; an identical existing link is success.
import { z } from "zod";
import { activity } from "./activityHandler";
import { failed, outcomeSchema, succeeded } from "./activityOutcome";
import { linkEndsInputSchema, withReplicaSession } from "./replicaSession";
import { onSource, readSourceCoordinates, readerLogin, resolveSourcePasswords } from "./sourceSession";
import { type WorkflowDependencies } from "../dependencies";
import { binlogCoordinatesSchema, linkingMethodSchema } from "../../request/provisionRequest";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink, linkSourceOf } from "../../domain/linkIdentity";
import {
  callChangeMaster,
  callChangeMasterWithGtid,
  linkSource,
  readGtidExecuted,
} from "../../replica/replicaSql";
import { type MysqlSession } from "../../mysql/mysqlSession";
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

type SourcePasswords = Extract<Awaited<ReturnType<typeof resolveSourcePasswords>>, { ok: true }>["value"];

/** The replica already has a link: the same one is success (at its position), another one is a conflict. */
async function existingLink(
  session: MysqlSession,
  status: ReplicationStatus,
  input: LinkReplicaInput,
): Promise<LinkReplicaResult> {
  if (!isSameLink(status, linkSourceOf(input.source))) {
    return failed(
      "LINK_CONFLICT",
      `The replica already replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}.`,
      "Delete that link first (DELETE /api/replications/{id}, or CALL mysql.az_replication_remove_master on the replica), then provision again.",
    );
  }
  if (input.linking === "gtid") {
    return succeeded({
      coordinates: null,
      gtidPosition: await readGtidExecuted(session),
      alreadyLinked: true,
    });
  }
  const coordinates = {
    file: status.sourceLogFile ?? input.binlog?.file ?? "",
    position: status.readSourceLogPos ?? 0,
  };
  return succeeded({ coordinates, gtidPosition: null, alreadyLinked: true });
}

/**
 * The coordinates a binlog-position link starts from: the request's (from the dump that seeded the replica), or the
 * source's current ones read by the inspection (or replication) account. A failure to read them is a tagged result.
 */
async function coordinatesToLink(
  deps: WorkflowDependencies,
  input: LinkReplicaInput,
  passwords: SourcePasswords,
): Promise<
  { ok: true; value: { file: string; position: number } } | Extract<LinkReplicaResult, { ok: false }>
> {
  if (input.binlog) return { ok: true, value: input.binlog };
  const login = readerLogin(input.source, passwords);
  let coordinates: { file: string; position: number } | null;
  try {
    coordinates = await onSource(deps, input.source, login, readSourceCoordinates);
  } catch (error) {
    if (isTransientMysqlError(error)) throw error;
    return failed(
      "COORDINATES_UNAVAILABLE",
      redactSecrets(
        `The source's current binlog coordinates cannot be read as ${login.user}: ${(error as Error).message}`,
        passwords.all,
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
  return { ok: true, value: coordinates };
}

/** Makes the link: by GTID (auto-position, resuming from the replica's gtid_executed) or at binlog coordinates. */
async function makeLink(
  deps: WorkflowDependencies,
  session: MysqlSession,
  input: LinkReplicaInput,
  passwords: SourcePasswords,
): Promise<LinkReplicaResult> {
  const source = linkSource(input.source, passwords.replication);
  if (input.linking === "gtid") {
    const gtidPosition = await readGtidExecuted(session);
    await callChangeMasterWithGtid(session, source);
    return succeeded({ coordinates: null, gtidPosition, alreadyLinked: false });
  }
  const coordinates = await coordinatesToLink(deps, input, passwords);
  if (!coordinates.ok) return coordinates;
  await callChangeMaster(session, {
    ...source,
    logFile: coordinates.value.file,
    logPosition: coordinates.value.position,
  });
  return succeeded({ coordinates: coordinates.value, gtidPosition: null, alreadyLinked: false });
}

export function createLinkReplicaActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: LINK_REPLICA_ACTIVITY,
    input: linkReplicaInputSchema,
    run: async (input): Promise<LinkReplicaResult> => {
      const dependencies = deps();
      const passwords = await resolveSourcePasswords(dependencies, input.source);
      if (!passwords.ok) return passwords;
      return withReplicaSession(
        dependencies,
        { replica: input.replica, fqdn: input.fqdn, otherSecrets: passwords.value.all },
        ({ errno, message }) => ({
          code: "LINK_FAILED",
          message: `Linking the replica failed: ${errno ? `error ${errno}: ` : ""}${message}`,
          remedy:
            "See the replica's error above; az_replication_change_master(_with_gtid) refuses while replication runs (stop it first).",
        }),
        async ({ session, identity }): Promise<LinkReplicaResult> => {
          const status = await readReplicationStatus(session, identity);
          if (status.configured) return existingLink(session, status, input);
          return makeLink(dependencies, session, input, passwords.value);
        },
      );
    },
  });
}
