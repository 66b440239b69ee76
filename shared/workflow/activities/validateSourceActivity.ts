// Activity: validate the source server (every check, all reported), resolving its passwords at the moment of use.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { checkResultSchema } from "../../source/checkResult";
import { sourcePurpose } from "../../secrets/secretBinding";
import {
  type ActivityOutcome,
  envelopeSchema,
  failed,
  secretFailure,
  succeeded,
  transientError,
} from "./activityOutcome";
import { isTransientMysqlError } from "../../errors/mysqlErrors";
import { type SourceSpec } from "../provisionTypes";
import { type ReplicaTarget, isTransientArmError } from "../../replica/replicaManager";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkingMethod, type SourceValidation, validateSource } from "../../source/sourceValidation";
import { redactSecrets } from "../../secrets/secretResolver";

export const VALIDATE_SOURCE_ACTIVITY = "validateSource";

export interface ValidateSourceInput {
  source: SourceSpec;
  binlog?: { file: string; position: number };
  linking: LinkingMethod;
  /** The replica the source is judged for: its kind (primary keys) and, for a private source, its network. */
  replica?: ReplicaTarget;
  /** Tables left out of replication (filters.ignoreTables): not checked for keys and engines. */
  ignoreTables?: string[];
}

export type ValidateSourceResult = ActivityOutcome<Omit<SourceValidation, "roundTrips">>;

/** The envelope, the checks and the facts the orchestrator reads itself; the rest of the facts passes through. */
export const validateSourceResultSchema = envelopeSchema<Omit<SourceValidation, "roundTrips">>(
  z.looseObject({
    checks: z.array(checkResultSchema),
    facts: z.looseObject({
      resolvedIpv4: z.string().nullable(),
      identity: z.looseObject({}).nullable(),
    }),
  }),
);

class ReplicaNetworkUnavailable extends Error {
  override readonly name = "ReplicaNetworkUnavailable";
}

/** A VNet-integrated Flexible Server's subnet, read before any connection to a private source is made. */
async function replicaVnetSubnet(deps: WorkflowDependencies, replica: ReplicaTarget): Promise<string | null> {
  try {
    const server = await deps.replicaManager(replica).getServer();
    return server?.publicNetworkAccess === "Disabled" ? server.delegatedSubnetResourceId : null;
  } catch (error) {
    // Throttled or failing: retried with the activity. A refusal (403, 404) leaves the private address refused.
    if (isTransientArmError(error)) throw new ReplicaNetworkUnavailable((error as Error).message);
    return null;
  }
}

export function createValidateSourceActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<ValidateSourceInput, ValidateSourceResult> {
  return async (input: ValidateSourceInput): Promise<ValidateSourceResult> => {
    const dependencies = deps();
    const { config, secrets } = dependencies;
    let replicationPassword: string;
    let inspectionPassword: string | undefined;
    try {
      replicationPassword = await secrets.resolve(
        input.source.replicationPassword,
        sourcePurpose(
          "source.replicationPassword",
          "source-replication",
          input.source,
          input.source.replicationUser,
        ),
      );
      inspectionPassword = input.source.inspectionPassword
        ? await secrets.resolve(
            input.source.inspectionPassword,
            sourcePurpose(
              "source.inspectionPassword",
              "source-inspection",
              input.source,
              input.source.inspectionUser ?? "",
            ),
          )
        : undefined;
    } catch (error) {
      return secretFailure(error);
    }
    const secretValues = [replicationPassword, ...(inspectionPassword ? [inspectionPassword] : [])];
    try {
      const { checks, facts } = await validateSource({
        host: input.source.host,
        port: input.source.port,
        replicationUser: input.source.replicationUser,
        replicationPassword,
        ...(input.source.caCertificate ? { caCertificate: input.source.caCertificate } : {}),
        ...(input.source.inspectionUser && inspectionPassword
          ? { inspection: { user: input.source.inspectionUser, password: inspectionPassword } }
          : {}),
        ...(input.binlog ? { binlog: input.binlog } : {}),
        linking: input.linking,
        ...(input.ignoreTables?.length ? { ignoreTables: input.ignoreTables } : {}),
        ...(input.replica ? { replicaKind: input.replica.kind } : {}),
        allowPrivateAddresses: config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
        ...(input.replica?.kind === "flexible"
          ? { replicaVnetSubnet: () => replicaVnetSubnet(dependencies, input.replica!) }
          : {}),
        connectTimeoutMs: config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
      });
      // Server messages echo user input; make sure no password travels back into the history.
      const safeChecks = checks.map((item) => ({
        ...item,
        message: redactSecrets(item.message, secretValues),
        remedy: redactSecrets(item.remedy, secretValues),
      }));
      return succeeded({ checks: safeChecks, facts });
    } catch (error) {
      if (isTransientMysqlError(error) || error instanceof ReplicaNetworkUnavailable)
        throw transientError(error, secretValues);
      return failed(
        "VALIDATION_ERROR",
        redactSecrets(
          `Validating the source failed: ${error instanceof Error ? error.message : String(error)}`,
          secretValues,
        ),
        "Check the accounts' privileges on the source; the message above names what the server refused.",
      );
    }
  };
}
