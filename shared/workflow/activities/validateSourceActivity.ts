// Activity: validate the source server (every check, all reported), resolving its passwords at the moment of use.
import { z } from "zod";
import { activity } from "./activityHandler";
import { checkResultSchema } from "./checkResultSchema";
import { type ActivityOutcome, classifyErrors, envelopeSchema, succeeded } from "./activityOutcome";
import { resolveSourcePasswords } from "./sourceSession";
import { isTransientMysqlError } from "../../errors/mysqlErrors";
import { type ReplicaTarget, isTransientArmError } from "../../replica/replicaManager";
import { type WorkflowDependencies } from "../dependencies";
import { type LinkingMethod, type SourceValidation, validateSource } from "../../source/sourceValidation";
import { redactSecrets } from "../../secrets/secretResolver";
import {
  binlogCoordinatesSchema,
  ignoreTablesSchema,
  linkingMethodSchema,
  replicaTargetSchema,
  sourceSpecSchema,
} from "../../request/provisionRequest";

export const VALIDATE_SOURCE_ACTIVITY = "validateSource";

export const validateSourceInputSchema = z.object({
  source: sourceSpecSchema,
  binlog: binlogCoordinatesSchema.optional(),
  linking: linkingMethodSchema satisfies z.ZodType<LinkingMethod>,
  /** The replica the source is judged for: its kind (primary keys) and, for a private source, its network. */
  replica: replicaTargetSchema.optional(),
  /** Tables left out of replication (filters.ignoreTables): not checked for keys and engines. */
  ignoreTables: ignoreTablesSchema.optional(),
});
export type ValidateSourceInput = z.infer<typeof validateSourceInputSchema>;

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

export function createValidateSourceActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: VALIDATE_SOURCE_ACTIVITY,
    input: validateSourceInputSchema,
    run: async (input): Promise<ValidateSourceResult> => {
      const dependencies = deps();
      const { config } = dependencies;
      const passwords = await resolveSourcePasswords(dependencies, input.source);
      if (!passwords.ok) return passwords;
      const {
        replication: replicationPassword,
        inspection: inspectionPassword,
        all: secretValues,
      } = passwords.value;
      const replica = input.replica;
      return classifyErrors(
        secretValues,
        ({ message }) => ({
          code: "VALIDATION_ERROR",
          message: `Validating the source failed: ${message}`,
          remedy:
            "Check the accounts' privileges on the source; the message above names what the server refused.",
        }),
        async () => {
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
            ...(replica ? { replicaKind: replica.kind } : {}),
            allowPrivateAddresses: config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
            ...(replica?.kind === "flexible"
              ? { replicaVnetSubnet: () => replicaVnetSubnet(dependencies, replica) }
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
        },
        (error) => isTransientMysqlError(error) || error instanceof ReplicaNetworkUnavailable,
      );
    },
  });
}
