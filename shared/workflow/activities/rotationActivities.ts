// Activities of credential and CA rotation: try the new values on the source, and re-link the replica at the applied position.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { replicaAdminPurpose, sourcePurpose } from "../../secrets/secretBinding";
import { failed, outcomeSchema, secretFailure, succeeded, transientError } from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec, type SourceSpec } from "../provisionTypes";
import { readReplicationStatus } from "../../replica/replicationStatus";
import { callChangeMaster, callChangeMasterWithGtid, callStop } from "../../replica/replicaSql";
import { MysqlSession, readGlobalVariables } from "../../mysql/mysqlSession";
import { type LinkingMethod } from "../../source/gtidChecks";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";
import { pinSourceAddress } from "../../source/sourceAddress";

export const CHECK_SOURCE_LOGIN_ACTIVITY = "checkSourceLogin";
export const RELINK_REPLICA_ACTIVITY = "relinkReplica";

export interface CheckSourceLoginInput {
  /** The source as the link will use it after the rotation: the new password reference and/or CA. */
  source: SourceSpec;
}

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
export function createCheckSourceLoginActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<CheckSourceLoginInput, CheckSourceLoginResult> {
  return async (input: CheckSourceLoginInput): Promise<CheckSourceLoginResult> => {
    const dependencies = deps();
    let password: string;
    try {
      password = await dependencies.secrets.resolve(
        input.source.replicationPassword,
        sourcePurpose(
          "replicationPassword",
          "source-replication",
          input.source,
          input.source.replicationUser,
        ),
      );
    } catch (error) {
      return secretFailure(error);
    }
    try {
      const session = await MysqlSession.open({
        host: await pinSourceAddress(input.source.host, dependencies.config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
        port: input.source.port,
        user: input.source.replicationUser,
        password,
        tls: input.source.caCertificate ? { ca: input.source.caCertificate } : false,
        connectTimeoutMs: dependencies.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
      });
      try {
        const [row] = await session.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
        const cipher = typeof row?.Value === "string" && row.Value !== "" ? row.Value : null;
        return succeeded({ tls: cipher !== null, cipher });
      } finally {
        await session.close();
      }
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, [password]);
      const code = (error as { code?: unknown }).code;
      const errno = mysqlErrno(error);
      const message = redactSecrets((error as Error).message, [password]);
      if (typeof code === "string" && TLS_VERIFY_CODES.has(code)) {
        return failed(
          "NEW_CA_REJECTED",
          `The source's TLS certificate does not verify against the new CA certificate (${code}): ${message}`,
          "Give the CA that signs the source's current certificate (the whole chain, PEM). Nothing was changed.",
        );
      }
      if (errno === 1045) {
        return failed(
          "NEW_PASSWORD_REJECTED",
          `The source refuses ${input.source.replicationUser} with the new password (error 1045): ${message}`,
          "Set the new password on the source first (ALTER USER ... IDENTIFIED BY ... RETAIN CURRENT PASSWORD keeps the old one working meanwhile), then PATCH again. Nothing was changed.",
        );
      }
      return failed(
        "NEW_CREDENTIALS_REJECTED",
        `Logging in to the source with the new values failed${errno ? ` (error ${errno})` : ""}: ${message}`,
        "Fix the new values so the replication user can log in over TLS, then PATCH again. Nothing was changed.",
      );
    }
  };
}

export interface RelinkReplicaInput {
  replica: ReplicaSpec;
  fqdn: string;
  /** The source as the link is to be made: its password reference and CA are the ones used. */
  source: SourceSpec;
  linking: LinkingMethod;
}

export const relinkReplicaResultSchema = outcomeSchema(
  z.object({
    /** File/position links: the applied position the link resumed from. null for a GTID link. */
    coordinates: z.object({ file: z.string(), position: z.number() }).nullable(),
    /** GTID links: the replica's gtid_executed the link resumed from. */
    gtidExecuted: z.string().nullable(),
  }),
);
export type RelinkReplicaResult = z.infer<typeof relinkReplicaResultSchema>;

/**
 * Stops replication and re-makes the link at exactly what the replica has applied (Relay_Source_Log_File /
 * Exec_Source_Log_Pos, or auto-position from gtid_executed), with the given credentials and CA. The relay log's
 * fetched-but-unapplied events are dropped and fetched again from there: nothing lost, nothing applied twice.
 * Running it twice is harmless: once stopped, the applied position does not move.
 */
export function createRelinkReplicaActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<RelinkReplicaInput, RelinkReplicaResult> {
  return async (input: RelinkReplicaInput): Promise<RelinkReplicaResult> => {
    const dependencies = deps();
    const secretValues: string[] = [];
    let adminPassword: string;
    let replicationPassword: string;
    try {
      adminPassword = await dependencies.secrets.resolve(
        input.replica.adminPassword,
        replicaAdminPurpose(input.replica),
      );
      replicationPassword = await dependencies.secrets.resolve(
        input.source.replicationPassword,
        sourcePurpose(
          "replicationPassword",
          "source-replication",
          input.source,
          input.source.replicationUser,
        ),
      );
      secretValues.push(adminPassword, replicationPassword);
    } catch (error) {
      return secretFailure(error);
    }
    try {
      const opened = await openReplicaSession(dependencies, input.replica, input.fqdn, adminPassword);
      try {
        const before = await readReplicationStatus(opened.session, opened.identity);
        if (!before.configured) {
          return failed(
            "LINK_MISSING",
            "The replica has no replication link to re-make.",
            "Provision the link again (POST /api/replications).",
          );
        }
        if (before.sourceHost !== input.source.host || before.sourcePort !== input.source.port) {
          return failed(
            "LINK_CONFLICT",
            `The replica replicates from ${before.sourceHost ?? "?"}:${before.sourcePort ?? "?"}, not from this link's source.`,
            "Someone re-linked the replica by hand; remove that link or re-provision.",
          );
        }
        await callStop(opened.session);
        const stopped = await readReplicationStatus(opened.session, opened.identity);
        const sslCa = input.source.caCertificate ?? "";
        if (input.linking === "gtid") {
          const variables = await readGlobalVariables(opened.session, ["gtid_executed"]);
          const gtidExecuted = (variables.get("gtid_executed") ?? "").replace(/\s+/g, "");
          await callChangeMasterWithGtid(opened.session, {
            sourceHost: input.source.host,
            sourceUser: input.source.replicationUser,
            sourcePassword: replicationPassword,
            sourcePort: input.source.port,
            sslCa,
          });
          return succeeded({ coordinates: null, gtidExecuted });
        }
        const file = stopped.execSourceLogFile;
        const position = stopped.execSourceLogPos;
        if (!file || position === null) {
          return failed(
            "APPLIED_POSITION_UNKNOWN",
            "The stopped replica reports no applied position (Relay_Source_Log_File / Exec_Source_Log_Pos).",
            "Look at SHOW REPLICA STATUS on the replica; start replication again with mysql.az_replication_start.",
          );
        }
        await callChangeMaster(opened.session, {
          sourceHost: input.source.host,
          sourceUser: input.source.replicationUser,
          sourcePassword: replicationPassword,
          sourcePort: input.source.port,
          logFile: file,
          logPosition: position,
          sslCa,
        });
        return succeeded({ coordinates: { file, position }, gtidExecuted: null });
      } finally {
        await opened.session.close();
      }
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, secretValues);
      const errno = mysqlErrno(error);
      return failed(
        "RELINK_FAILED",
        redactSecrets(
          `Re-making the link failed: ${errno ? `error ${errno}: ` : ""}${(error as Error).message}`,
          secretValues,
        ),
        "See the replica's error; the link is put back with the previous values.",
      );
    }
  };
}
