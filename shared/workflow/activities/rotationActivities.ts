// Activities of credential and CA rotation: try the new values on the source, and re-link the replica at the applied position.
import { z } from "zod";
import { activity } from "./activityHandler";
import { failed, outcomeSchema, succeeded } from "./activityOutcome";
import { linkEndsInputSchema, withReplicaSession } from "./replicaSession";
import { resolveSourcePasswords, withSourceSession } from "./sourceSession";
import { type WorkflowDependencies } from "../dependencies";
import { linkingMethodSchema, sourceSpecSchema } from "../../request/provisionRequest";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { isSameLink, linkSourceOf } from "../../domain/linkIdentity";
import {
  callChangeMaster,
  callChangeMasterWithGtid,
  callStop,
  linkSource,
  readGtidExecuted,
} from "../../replica/replicaSql";
import { type MysqlSession, type ServerIdentity } from "../../mysql/mysqlSession";

export const CHECK_SOURCE_LOGIN_ACTIVITY = "checkSourceLogin";
export const RELINK_REPLICA_ACTIVITY = "relinkReplica";

export const checkSourceLoginInputSchema = z.object({
  /** The source as the link will use it after the rotation: the new password reference and/or CA. */
  source: sourceSpecSchema,
});
export type CheckSourceLoginInput = z.infer<typeof checkSourceLoginInputSchema>;

export const checkSourceLoginResultSchema = outcomeSchema(
  z.object({ tls: z.boolean(), cipher: z.string().nullable() }),
);
export type CheckSourceLoginResult = z.infer<typeof checkSourceLoginResultSchema>;

/** Node's TLS verification failures: a CA that does not sign the source's certificate. Permanent. */
const TLS_VERIFY_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Logs in to the source exactly as the replica will after the rotation (same user, new password, new CA). */
export function createCheckSourceLoginActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: CHECK_SOURCE_LOGIN_ACTIVITY,
    input: checkSourceLoginInputSchema,
    run: (input): Promise<CheckSourceLoginResult> =>
      withSourceSession(
        deps(),
        { source: input.source, as: "replication", fieldPrefix: "" },
        ({ code, errno, message }) => {
          if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
            return {
              code: "NEW_CA_REJECTED",
              message: `The source's TLS certificate does not verify against the new CA certificate (${code}): ${message}`,
              remedy:
                "Give the CA that signs the source's current certificate (the whole chain, PEM). Nothing was changed.",
            };
          }
          if (errno === 1045) {
            return {
              code: "NEW_PASSWORD_REJECTED",
              message: `The source refuses ${input.source.replicationUser} with the new password (error 1045): ${message}`,
              remedy:
                "Set the new password on the source first (ALTER USER ... IDENTIFIED BY ... RETAIN CURRENT PASSWORD keeps the old one working meanwhile), then PATCH again. Nothing was changed.",
            };
          }
          return {
            code: "NEW_CREDENTIALS_REJECTED",
            message: `Logging in to the source with the new values failed${errno ? ` (error ${errno})` : ""}: ${message}`,
            remedy:
              "Fix the new values so the replication user can log in over TLS, then PATCH again. Nothing was changed.",
          };
        },
        async (session) => {
          const [row] = await session.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
          const cipher = typeof row?.Value === "string" && row.Value !== "" ? row.Value : null;
          return succeeded({ tls: cipher !== null, cipher });
        },
      ),
  });
}

/** The source is the link as it is to be made: its password reference and CA are the ones used. */
export const relinkReplicaInputSchema = linkEndsInputSchema.extend({
  linking: linkingMethodSchema,
});
export type RelinkReplicaInput = z.infer<typeof relinkReplicaInputSchema>;

export const relinkReplicaResultSchema = outcomeSchema(
  z.object({
    /** File/position links: the applied position the link resumed from. null for a GTID link. */
    coordinates: z.object({ file: z.string(), position: z.number() }).nullable(),
    /** GTID links: the replica's gtid_executed the link resumed from. */
    gtidExecuted: z.string().nullable(),
  }),
);
export type RelinkReplicaResult = z.infer<typeof relinkReplicaResultSchema>;

/** Why the replica's link cannot be re-made (none, or someone else's); null when it is this link. */
function relinkRefusal(
  status: ReplicationStatus,
  source: RelinkReplicaInput["source"],
): RelinkReplicaResult | null {
  if (!status.configured) {
    return failed(
      "LINK_MISSING",
      "The replica has no replication link to re-make.",
      "Provision the link again (POST /api/replications).",
    );
  }
  if (isSameLink(status, linkSourceOf(source))) return null;
  return failed(
    "LINK_CONFLICT",
    `The replica replicates from ${status.sourceUser ?? "?"}@${status.sourceHost ?? "?"}:${status.sourcePort ?? "?"}, not from this link's source.`,
    "Someone re-linked the replica by hand; remove that link or re-provision.",
  );
}

/** On a stopped replica: the link made again from what it applied (auto-position, or the applied file/position). */
async function relinkAtApplied(
  session: MysqlSession,
  identity: ServerIdentity,
  input: RelinkReplicaInput,
  password: string,
): Promise<RelinkReplicaResult> {
  const source = linkSource(input.source, password);
  if (input.linking === "gtid") {
    const gtidExecuted = await readGtidExecuted(session);
    await callChangeMasterWithGtid(session, source);
    return succeeded({ coordinates: null, gtidExecuted });
  }
  const stopped = await readReplicationStatus(session, identity);
  const file = stopped.execSourceLogFile;
  const position = stopped.execSourceLogPos;
  if (!file || position === null) {
    return failed(
      "APPLIED_POSITION_UNKNOWN",
      "The stopped replica reports no applied position (Relay_Source_Log_File / Exec_Source_Log_Pos).",
      "Look at SHOW REPLICA STATUS on the replica; start replication again with mysql.az_replication_start.",
    );
  }
  await callChangeMaster(session, { ...source, logFile: file, logPosition: position });
  return succeeded({ coordinates: { file, position }, gtidExecuted: null });
}

/**
 * Stops replication and re-makes the link at exactly what the replica has applied (Relay_Source_Log_File /
 * Exec_Source_Log_Pos, or auto-position from gtid_executed), with the given credentials and CA. The relay log's
 * fetched-but-unapplied events are dropped and fetched again from there: nothing lost, nothing applied twice.
 * Running it twice is harmless: once stopped, the applied position does not move.
 */
export function createRelinkReplicaActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: RELINK_REPLICA_ACTIVITY,
    input: relinkReplicaInputSchema,
    run: async (input): Promise<RelinkReplicaResult> => {
      const dependencies = deps();
      const passwords = await resolveSourcePasswords(dependencies, input.source, {
        fieldPrefix: "",
        withInspection: false,
      });
      if (!passwords.ok) return passwords;
      return withReplicaSession(
        dependencies,
        { replica: input.replica, fqdn: input.fqdn, otherSecrets: passwords.value.all },
        ({ errno, message }) => ({
          code: "RELINK_FAILED",
          message: `Re-making the link failed: ${errno ? `error ${errno}: ` : ""}${message}`,
          remedy: "See the replica's error; the link is put back with the previous values.",
        }),
        async ({ session, identity }): Promise<RelinkReplicaResult> => {
          const refusal = relinkRefusal(await readReplicationStatus(session, identity), input.source);
          if (refusal) return refusal;
          await callStop(session);
          return relinkAtApplied(session, identity, input, passwords.value.replication);
        },
      );
    },
  });
}
