// Activity: read the replica through Resource Manager and its admin session: existence, state, tier, server facts, link and rule.
import { z } from "zod";
import { lookup } from "node:dns/promises";
import { activity } from "./activityHandler";
import { type ActivityOutcome, armOutcome, envelopeSchema, succeeded } from "./activityOutcome";
import { redactStatus, withReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { ignoreTablesSchema, linkingMethodSchema, replicaSpecSchema } from "../../request/provisionRequest";
import { type CheckResult, check } from "../../domain/checkResult";
import { checkResultSchema } from "./checkResultSchema";
import {
  type FirewallDirection,
  type FirewallRuleInfo,
  type ReplicaServerInfo,
} from "../../replica/replicaManager";
import { type LinkingMethod, type ReplicaGtidFacts } from "../../domain/gtidChecks";
import { hasHighAvailability } from "../../domain/linkingChoice";
import { allowedTiersSetting, replicaNetworkVerdict } from "../../domain/replicaPolicy";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { readGlobalVariables, type ServerIdentity } from "../../mysql/mysqlSession";
import {
  IGNORE_TABLE_PARAMETER,
  IGNORE_TABLE_VALUE_MAX_LENGTH,
  mergeIgnoreValue,
} from "../../request/tableFilters";

export const INSPECT_REPLICA_ACTIVITY = "inspectReplica";

export const inspectReplicaInputSchema = z.object({
  replica: replicaSpecSchema,
  firewallRuleName: z.string().min(1),
  /** The linking method the request asked for; omitted: chosen from the replica (see linkingChoice). */
  linking: linkingMethodSchema.optional(),
  /** The request's table filters: the replica's replicate_wild_ignore_table is read and judged for them. */
  ignoreTables: ignoreTablesSchema.optional(),
});
export type InspectReplicaInput = z.infer<typeof inspectReplicaInputSchema>;

/** The replica's replicate_wild_ignore_table before this app changes it, and the value it would set. */
interface ReplicaTableFilter {
  currentValue: string;
  wantedValue: string;
}

interface ReplicaSqlFacts {
  identity: ServerIdentity;
  serverId: number;
  lowerCaseTableNames: number;
  /** sql_generate_invisible_primary_key (MySQL 8.0.30+; ON by default on Flexible Server); null when not reported. */
  generateInvisiblePrimaryKey: boolean | null;
  /**
   * Single Server: the host its outbound connections come from (`@@global.redirect_server_host`, Azure's documented
   * way to find the address the source's firewall must admit), and what it resolved to; null when not reported.
   */
  redirectServerHost: { host: string; addresses: string[] } | null;
  status: ReplicationStatus;
  gtid: ReplicaGtidFacts;
}

export interface ReplicaInspection {
  /** Decided by the replica's kind, through its manager; the orchestrator branches on this, not on the kind. */
  firewallDirection: FirewallDirection;
  server: ReplicaServerInfo | null;
  checks: CheckResult[];
  sql: ReplicaSqlFacts | null;
  firewallRule: FirewallRuleInfo | null;
  /** Only when the request has table filters and the parameter could be read and set. */
  tableFilter?: ReplicaTableFilter;
}

export type InspectReplicaResult = ActivityOutcome<ReplicaInspection>;

/** The envelope and the fields the orchestrator reads; the server's and the session's other facts pass through. */
export const inspectReplicaResultSchema = envelopeSchema<ReplicaInspection>(
  z.looseObject({
    firewallDirection: z.enum(["replicaAdmitsSource", "sourceAdmitsReplica"]),
    server: z.looseObject({ fqdn: z.string().nullable() }).nullable(),
    checks: z.array(checkResultSchema),
    sql: z.looseObject({}).nullable(),
    firewallRule: z.looseObject({}).nullable(),
    tableFilter: z.looseObject({ currentValue: z.string(), wantedValue: z.string() }).optional(),
  }),
);

const TIER_NAMES: Record<string, string> = {
  Basic: "Basic",
  GeneralPurpose: "General Purpose",
  MemoryOptimized: "Memory Optimized",
  Burstable: "Burstable",
};

function tierCheck(server: ReplicaServerInfo, allowed: readonly string[]): CheckResult {
  const shown = TIER_NAMES[server.tier] ?? server.tier;
  if (allowed.includes(server.tier))
    return check("REPLICA_TIER", "pass", `The replica's tier is ${shown} (${server.skuName}).`);
  const allowedShown = allowed.map((tier) => TIER_NAMES[tier] ?? tier).join(" or ");
  if (server.kind === "single" && server.tier === "Basic") {
    return check(
      "REPLICA_TIER",
      "fail",
      `The replica ${server.name} is in the Basic tier (${server.skuName}); data-in replication needs ${allowedShown}.`,
      "A Basic Single Server cannot be scaled to General Purpose or Memory Optimized: create a General Purpose or Memory Optimized server (for example by restoring a backup into a new server) and link that one.",
    );
  }
  return check(
    "REPLICA_TIER",
    "fail",
    `The replica ${server.name} is in the ${shown} tier (${server.skuName}); this app's policy (${allowedTiersSetting(server.kind)}) allows ${allowedShown}. This is the app's setting, not an Azure restriction.`,
    `Scale the server to ${allowedShown}, or, if the ${shown} tier is a deliberate choice, add ${server.tier} to the app setting ${allowedTiersSetting(server.kind)}.`,
  );
}

/**
 * Flexible Server: VNet integration (private access) is supported, the source's name resolving from that VNet; only a
 * server reached through a private endpoint with public access disabled is not. ARM says Disabled for both.
 */
function publicAccessCheck(server: ReplicaServerInfo): CheckResult {
  const verdict = replicaNetworkVerdict(server);
  if (verdict === "privateEndpointOnly") {
    return check(
      "REPLICA_PUBLIC_ACCESS",
      "fail",
      `The replica ${server.name} has public network access disabled and no VNet integration (private endpoint access only); data-in replication is not supported on such a server.`,
      "Enable public network access on the server (keeping the private endpoint if you need it), or use a Flexible Server with VNet integration (private access) whose VNet can reach the source.",
    );
  }
  if (verdict === "vnetIntegrated") {
    return check(
      "REPLICA_PUBLIC_ACCESS",
      "pass",
      `The replica ${server.name} uses VNet integration (private access, subnet ${server.delegatedSubnetResourceId}); data-in replication is supported when the source's host name resolves, and its address is routable, from that VNet.`,
    );
  }
  return check(
    "REPLICA_PUBLIC_ACCESS",
    "pass",
    `Public network access is ${server.publicNetworkAccess ?? "not reported"}.`,
  );
}

function highAvailabilityCheck(server: ReplicaServerInfo, requested: LinkingMethod | undefined): CheckResult {
  if (!hasHighAvailability(server)) {
    return check(
      "REPLICA_HA_LINKING",
      "pass",
      `High availability is ${server.highAvailabilityMode ?? "not reported"}; either linking method fits.`,
    );
  }
  if (requested === "binlogPosition") {
    return check(
      "REPLICA_HA_LINKING",
      "fail",
      `The replica has high availability (${server.highAvailabilityMode}), which supports data-in replication by GTID only, and the request asks for binlogPosition linking.`,
      'Send linking: "gtid" (or leave linking out) with a source that has GTIDs enabled, or disable high availability on the replica.',
    );
  }
  return check(
    "REPLICA_HA_LINKING",
    "pass",
    `The replica has high availability (${server.highAvailabilityMode}): linking by GTID${requested ? "" : " (chosen because of it)"}.`,
  );
}

/** Resolves Single Server's redirect host; the addresses can change (Azure says so), so this is a snapshot. */
async function resolveRedirectHost(host: string): Promise<{ host: string; addresses: string[] }> {
  try {
    const found = await lookup(host, { all: true, family: 4 });
    return { host, addresses: found.map((entry) => entry.address) };
  } catch {
    return { host, addresses: [] };
  }
}

/**
 * Reads replicate_wild_ignore_table for a request with table filters and judges it: the merged value must fit the
 * parameter, and the parameter must be writable (read-only on some 5.7 Flexible Servers: MicrosoftDocs/azure-docs#85656).
 */
async function judgeTableFilter(
  manager: ReturnType<WorkflowDependencies["replicaManager"]>,
  patterns: readonly string[],
): Promise<{ check: CheckResult; filter?: ReplicaTableFilter }> {
  const parameter = await manager.getServerParameter(IGNORE_TABLE_PARAMETER);
  const code = "TABLE_FILTER_PARAMETER";
  if (!parameter)
    return {
      check: check(
        code,
        "fail",
        `The replica has no ${IGNORE_TABLE_PARAMETER} server parameter, so tables cannot be filtered out.`,
        "Leave filters out of the request, or use a server whose configurations list this parameter.",
      ),
    };
  if (parameter.isReadOnly)
    return {
      check: check(
        code,
        "fail",
        `The replica reports ${IGNORE_TABLE_PARAMETER} read-only (Azure refuses changes to it on some MySQL 5.7 Flexible Servers), so tables cannot be filtered out.`,
        "Use a MySQL 8.0 server, or leave filters out of the request and exclude the tables from the dump instead.",
      ),
    };
  const wantedValue = mergeIgnoreValue(parameter.value, patterns);
  if (wantedValue.length > IGNORE_TABLE_VALUE_MAX_LENGTH)
    return {
      check: check(
        code,
        "fail",
        `The replica's own ${IGNORE_TABLE_PARAMETER} (${parameter.value.length} characters) and the request's patterns together are ${wantedValue.length} characters, over this app's limit of ${IGNORE_TABLE_VALUE_MAX_LENGTH}.`,
        "Use fewer or wider patterns (db.% for a whole database), or shorten the server's own value first.",
      ),
    };
  const kept =
    parameter.value.trim() === ""
      ? ""
      : ` (its own patterns ${parameter.value} are kept and come back on removal)`;
  return {
    check: check(
      code,
      "pass",
      wantedValue === parameter.value
        ? `The replica's ${IGNORE_TABLE_PARAMETER} already holds every requested pattern: ${wantedValue}.`
        : `The replica's ${IGNORE_TABLE_PARAMETER} will be set to ${wantedValue} before linking${kept}.`,
    ),
    filter: { currentValue: parameter.value, wantedValue },
  };
}

export function createInspectReplicaActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: INSPECT_REPLICA_ACTIVITY,
    input: inspectReplicaInputSchema,
    run: async (input): Promise<InspectReplicaResult> => {
      const dependencies = deps();
      const result = await inspectReplica(dependencies, input);
      if (!result.ok || !input.ignoreTables?.length || !result.value.server) return result;
      const patterns = input.ignoreTables;
      const read = await armOutcome(
        () => judgeTableFilter(dependencies.replicaManager(input.replica), patterns),
        (failure) => ({
          code: "TABLE_FILTER_PARAMETER",
          message: `Resource Manager refused to read ${IGNORE_TABLE_PARAMETER}: ${failure.code}: ${failure.message}`,
          remedy: "Grant this app's identity configurations/read on the replica (the custom role of infra/).",
        }),
      );
      const judged = read.ok
        ? read.value
        : { check: check(read.error.code, "fail", read.error.message, read.error.remedy) };
      return succeeded({
        ...result.value,
        checks: [...result.value.checks, judged.check],
        ...(judged.filter ? { tableFilter: judged.filter } : {}),
      });
    },
  });
}

/** The admin session's facts, or why the admin cannot use the replica (a check, not an error: the report shows it). */
async function inspectSql(
  deps: WorkflowDependencies,
  replica: InspectReplicaInput["replica"],
  fqdn: string,
): Promise<ActivityOutcome<{ login: CheckResult; sql: ReplicaSqlFacts | null }>> {
  const outcome = await withReplicaSession(
    deps,
    { replica, fqdn },
    ({ errno, message }) => ({
      code: "REPLICA_ADMIN_LOGIN",
      message: `The admin ${replica.adminUser} cannot use the replica: ${errno ? `error ${errno}: ` : ""}${message}`,
      remedy:
        errno === 1045
          ? "Check replica.adminUser and the password its reference resolves to."
          : "Check that the replica's firewall admits this app's outbound addresses and that TLS to the replica verifies (REPLICA_TLS_CA_FILE).",
    }),
    async ({ session, identity, adminPassword }) => {
      const variables = await readGlobalVariables(session, [
        "server_id",
        "lower_case_table_names",
        "gtid_mode",
        "enforce_gtid_consistency",
        "gtid_executed",
        "sql_generate_invisible_primary_key",
        "redirect_server_host",
      ]);
      const status = await readReplicationStatus(session, identity);
      const serverId = Number(variables.get("server_id") ?? "0");
      const gipk = variables.get("sql_generate_invisible_primary_key");
      const redirectHost = variables.get("redirect_server_host") ?? "";
      return succeeded({
        login: check(
          "REPLICA_ADMIN_LOGIN",
          "pass",
          `The admin ${replica.adminUser} logs in to the replica over TLS.`,
        ),
        sql: {
          identity,
          serverId,
          gtid: {
            serverId,
            gtidMode: variables.get("gtid_mode") ?? null,
            enforceGtidConsistency: variables.get("enforce_gtid_consistency") ?? null,
            gtidExecuted: variables.get("gtid_executed") ?? null,
          },
          lowerCaseTableNames: Number(variables.get("lower_case_table_names") ?? "0"),
          generateInvisiblePrimaryKey: gipk === undefined ? null : ["ON", "1"].includes(gipk.toUpperCase()),
          redirectServerHost: redirectHost ? await resolveRedirectHost(redirectHost) : null,
          status: redactStatus(status, [adminPassword]),
        },
      });
    },
  );
  if (outcome.ok || outcome.error.code !== "REPLICA_ADMIN_LOGIN") return outcome;
  return succeeded({
    login: check("REPLICA_ADMIN_LOGIN", "fail", outcome.error.message, outcome.error.remedy),
    sql: null,
  });
}

async function inspectReplica(
  deps: WorkflowDependencies,
  input: InspectReplicaInput,
): Promise<InspectReplicaResult> {
  const manager = deps.replicaManager(input.replica);
  const capabilities = {
    firewallDirection: manager.firewallDirection,
  };
  const read = await armOutcome(
    async () => {
      const server = await manager.getServer();
      const firewallRule =
        server && manager.firewallDirection === "replicaAdmitsSource"
          ? await manager.getFirewallRule(input.firewallRuleName)
          : null;
      return { server, firewallRule };
    },
    (failure) => ({
      code: "ARM_REQUEST_REJECTED",
      message:
        `Resource Manager refused to read replica ${input.replica.serverName}: ${failure.statusCode ?? ""} ${failure.code}: ${failure.message}`.replace(
          /\s+/g,
          " ",
        ),
      remedy:
        "Check that this app's identity has read access to the server (the custom role of infra/), and the subscription and resource group names.",
    }),
  );
  if (!read.ok) return read;
  const { server, firewallRule } = read.value;
  const checks: CheckResult[] = [];
  if (!server) {
    checks.push(
      check(
        "REPLICA_EXISTS",
        "fail",
        `Replica server ${input.replica.serverName} was not found in resource group ${input.replica.resourceGroup} of subscription ${input.replica.subscriptionId}.`,
        "Check replica.subscriptionId, replica.resourceGroup and replica.serverName, and that the server is an Azure Database for MySQL server of the given kind.",
      ),
    );
    const codes = ["REPLICA_READY", "REPLICA_TIER", "REPLICA_ADMIN_LOGIN"];
    if (input.replica.kind === "flexible") codes.push("REPLICA_PUBLIC_ACCESS", "REPLICA_HA_LINKING");
    for (const code of codes) {
      checks.push(check(code, "skipped", "The replica server does not exist."));
    }
    return succeeded({ ...capabilities, server, checks, sql: null, firewallRule: null });
  }
  checks.push(check("REPLICA_EXISTS", "pass", `Replica ${server.name} exists (${server.fqdn}).`));
  const ready = server.state === "Ready";
  checks.push(
    ready
      ? check("REPLICA_READY", "pass", "The replica is Ready.")
      : check(
          "REPLICA_READY",
          "fail",
          `The replica is ${server.state || "in an unknown state"}, not Ready.`,
          "Start the server, or wait for its current operation to finish, then try again.",
        ),
  );
  const allowedTiers =
    server.kind === "single"
      ? deps.config.SINGLE_SERVER_ALLOWED_TIERS
      : deps.config.FLEXIBLE_SERVER_ALLOWED_TIERS;
  checks.push(tierCheck(server, allowedTiers));
  if (server.kind === "flexible") {
    checks.push(publicAccessCheck(server));
    checks.push(highAvailabilityCheck(server, input.linking));
  }
  if (!ready) {
    checks.push(check("REPLICA_ADMIN_LOGIN", "skipped", "The replica is not Ready."));
    return succeeded({ ...capabilities, server, checks, sql: null, firewallRule });
  }
  if (!server.fqdn) {
    checks.push(
      check(
        "REPLICA_ADMIN_LOGIN",
        "skipped",
        "Resource Manager reports no fullyQualifiedDomainName for the replica: there is no name to connect to.",
      ),
    );
    return succeeded({ ...capabilities, server, checks, sql: null, firewallRule });
  }

  const sql = await inspectSql(deps, input.replica, server.fqdn);
  if (!sql.ok) return sql;
  checks.push(sql.value.login);
  return succeeded({ ...capabilities, server, checks, firewallRule, sql: sql.value.sql });
}
