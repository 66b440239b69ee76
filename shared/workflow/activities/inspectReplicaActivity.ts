// Activity: read the replica through Resource Manager and its admin session: existence, state, tier, server facts, link and rule.
import { type ActivityOutcome, failed, secretFailure, succeeded, transientError } from "./activityOutcome";
import { openReplicaSession } from "./replicaSession";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaSpec } from "../provisionTypes";
import { type CheckResult, check } from "../../source/checkResult";
import {
  type FirewallRuleInfo,
  type ReplicaServerInfo,
  isTransientArmError,
  toArmFailure,
} from "../../replica/replicaManager";
import { type ReplicationStatus, readReplicationStatus } from "../../replica/replicationStatus";
import { readGlobalVariables, type ServerIdentity } from "../../mysql/mysqlSession";
import { isTransientMysqlError, mysqlErrno } from "../../errors/mysqlErrors";
import { redactSecrets } from "../../secrets/secretResolver";

export const INSPECT_REPLICA_ACTIVITY = "inspectReplica";

export interface InspectReplicaInput {
  replica: ReplicaSpec;
  firewallRuleName: string;
}

export interface ReplicaSqlFacts {
  identity: ServerIdentity;
  serverId: number;
  lowerCaseTableNames: number;
  status: ReplicationStatus;
}

export interface ReplicaInspection {
  server: ReplicaServerInfo | null;
  checks: CheckResult[];
  sql: ReplicaSqlFacts | null;
  firewallRule: FirewallRuleInfo | null;
}

export type InspectReplicaResult = ActivityOutcome<ReplicaInspection>;

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
    `The replica ${server.name} is in the ${shown} tier (${server.skuName}); this app's policy allows ${allowedShown}.`,
    "Scale the server to an allowed tier, or change the app's allowed-tier setting if that is a deliberate choice.",
  );
}

export function createInspectReplicaActivity(deps: () => WorkflowDependencies) {
  return async (input: InspectReplicaInput): Promise<InspectReplicaResult> => {
    const dependencies = deps();
    const manager = dependencies.replicaManager(input.replica);
    let server: ReplicaServerInfo | null;
    let firewallRule: FirewallRuleInfo | null;
    try {
      server = await manager.getServer();
      firewallRule =
        server && input.replica.kind === "single"
          ? await manager.getFirewallRule(input.firewallRuleName)
          : null;
    } catch (error) {
      if (isTransientArmError(error)) throw transientError(error, []);
      const failure = toArmFailure(error);
      return failed(
        "ARM_REQUEST_REJECTED",
        `Resource Manager refused to read replica ${input.replica.serverName}: ${failure.statusCode ?? ""} ${failure.code}: ${failure.message}`.replace(
          /\s+/g,
          " ",
        ),
        "Check that this app's identity has read access to the server (the custom role of infra/), and the subscription and resource group names.",
      );
    }
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
      for (const code of ["REPLICA_READY", "REPLICA_TIER", "REPLICA_ADMIN_LOGIN"]) {
        checks.push(check(code, "skipped", "The replica server does not exist."));
      }
      return succeeded({ server, checks, sql: null, firewallRule: null });
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
        ? dependencies.config.SINGLE_SERVER_ALLOWED_TIERS
        : dependencies.config.FLEXIBLE_SERVER_ALLOWED_TIERS;
    checks.push(tierCheck(server, allowedTiers));
    if (!ready) {
      checks.push(check("REPLICA_ADMIN_LOGIN", "skipped", "The replica is not Ready."));
      return succeeded({ server, checks, sql: null, firewallRule });
    }

    let adminPassword: string;
    try {
      adminPassword = await dependencies.secrets.resolve(input.replica.adminPassword);
    } catch (error) {
      return secretFailure(error);
    }
    try {
      const opened = await openReplicaSession(dependencies, input.replica, server.fqdn, adminPassword);
      try {
        const variables = await readGlobalVariables(opened.session, ["server_id", "lower_case_table_names"]);
        const status = await readReplicationStatus(opened.session, opened.identity);
        checks.push(
          check(
            "REPLICA_ADMIN_LOGIN",
            "pass",
            `The admin ${input.replica.adminUser} logs in to the replica over TLS.`,
          ),
        );
        return succeeded({
          server,
          checks,
          firewallRule,
          sql: {
            identity: opened.identity,
            serverId: Number(variables.get("server_id") ?? "0"),
            lowerCaseTableNames: Number(variables.get("lower_case_table_names") ?? "0"),
            status: {
              ...status,
              lastIoError: redactSecrets(status.lastIoError, [adminPassword]),
              lastSqlError: redactSecrets(status.lastSqlError, [adminPassword]),
            },
          },
        });
      } finally {
        await opened.session.close();
      }
    } catch (error) {
      if (isTransientMysqlError(error)) throw transientError(error, [adminPassword]);
      const errno = mysqlErrno(error);
      checks.push(
        check(
          "REPLICA_ADMIN_LOGIN",
          "fail",
          redactSecrets(
            `The admin ${input.replica.adminUser} cannot use the replica: ${errno ? `error ${errno}: ` : ""}${(error as Error).message}`,
            [adminPassword],
          ),
          errno === 1045
            ? "Check replica.adminUser and the password its reference resolves to."
            : "Check that the replica's firewall admits this app's outbound addresses and that TLS to the replica verifies (REPLICA_TLS_CA_FILE).",
        ),
      );
      return succeeded({ server, checks, sql: null, firewallRule });
    }
  };
}
