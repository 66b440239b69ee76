// A registered link as the registry returns it (references only), and as earlier versions' histories hold it, for workflow tests without a registry.
import { type LinkRecord } from "../../../shared/registry/linkRegistry";

export function linkRecord(overrides: Partial<LinkRecord> = {}): LinkRecord {
  return {
    id: "rpl-1",
    state: "replicating",
    source: {
      host: "db.example.com",
      port: 3306,
      replicationUser: "repl",
      replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" },
    },
    replica: {
      kind: "single",
      subscriptionId: "sub",
      resourceGroup: "rg",
      serverName: "replica",
      adminUser: "admin",
      adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
    },
    replicaFqdn: "replica.mysql.database.azure.com",
    sourceIpv4: "203.0.113.7",
    firewallRuleName: "data-in-replication-rpl-1",
    firewallRuleCreatedByApp: true,
    binlogFile: "binlog.000001",
    binlogPosition: 4,
    linking: "binlogPosition",
    rolledBack: null,
    lastError: null,
    skipPolicy: [],
    skipCounts: {},
    heartbeat: null,
    tableFilters: null,
    lastHealth: null,
    createdAt: "2026-12-01T09:00:00.000Z",
    updatedAt: "2026-12-01T09:00:00.000Z",
    ...overrides,
  };
}

/** linkRecord() as the version before the record embedded source and replica returned it: flat, as the row still is. */
export function earlierFlatLinkRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "rpl-1",
    state: "replicating",
    kind: "single",
    subscriptionId: "sub",
    resourceGroup: "rg",
    serverName: "replica",
    replicaFqdn: "replica.mysql.database.azure.com",
    adminUser: "admin",
    adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
    sourceHost: "db.example.com",
    sourcePort: 3306,
    sourceIpv4: "203.0.113.7",
    replicationUser: "repl",
    replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" },
    caCertificate: null,
    inspectionUser: null,
    inspectionPassword: null,
    firewallRuleName: "data-in-replication-rpl-1",
    firewallRuleCreatedByApp: true,
    binlogFile: "binlog.000001",
    binlogPosition: 4,
    linking: "binlogPosition",
    outboundAddress: null,
    rolledBack: null,
    lastError: null,
    skipPolicy: [],
    skipCounts: {},
    heartbeat: null,
    tableFilters: null,
    lastHealth: null,
    createdAt: "2026-12-01T09:00:00.000Z",
    updatedAt: "2026-12-01T09:00:00.000Z",
    ...overrides,
  };
}
