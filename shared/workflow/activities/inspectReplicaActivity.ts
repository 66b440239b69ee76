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
import { type ReplicaGtidFacts } from "../../domain/gtidChecks";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { readGlobalVariables, type ServerIdentity } from "../../mysql/mysqlSession";
import { IGNORE_TABLE_PARAMETER } from "../../request/tableFilters";
import { replicaServerChecks } from "../../replica/replicaServerChecks";
import { tableFilterCheck } from "../../replica/tableFilterCheck";

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

/** Resolves Single Server's redirect host; the addresses can change (Azure says so), so this is a snapshot. */
async function resolveRedirectHost(host: string): Promise<{ host: string; addresses: string[] }> {
  try {
    const found = await lookup(host, { all: true, family: 4 });
    return { host, addresses: found.map((entry) => entry.address) };
  } catch {
    return { host, addresses: [] };
  }
}

/** Reads replicate_wild_ignore_table for a request with table filters, and judges it (tableFilterCheck). */
async function judgeTableFilter(
  manager: ReturnType<WorkflowDependencies["replicaManager"]>,
  patterns: readonly string[],
): Promise<{ check: CheckResult; filter?: ReplicaTableFilter }> {
  return tableFilterCheck(await manager.getServerParameter(IGNORE_TABLE_PARAMETER), patterns);
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
  const allowedTiers = {
    single: deps.config.SINGLE_SERVER_ALLOWED_TIERS,
    flexible: deps.config.FLEXIBLE_SERVER_ALLOWED_TIERS,
  };
  const { checks, noLogin } = replicaServerChecks(input.replica, server, allowedTiers, input.linking);
  if (!server) return succeeded({ ...capabilities, server, checks, sql: null, firewallRule: null });
  if (noLogin || !server.fqdn) return succeeded({ ...capabilities, server, checks, sql: null, firewallRule });

  const sql = await inspectSql(deps, input.replica, server.fqdn);
  if (!sql.ok) return sql;
  checks.push(sql.value.login);
  return succeeded({ ...capabilities, server, checks, firewallRule, sql: sql.value.sql });
}
