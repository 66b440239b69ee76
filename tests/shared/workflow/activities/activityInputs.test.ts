// Every activity's input schema: the input its orchestrator builds decodes, and a password never passes for a reference.
import { type z } from "zod";
import { checkReplicationInputSchema } from "../../../../shared/workflow/activities/checkReplicationActivity";
import { copySnapshotInputSchema } from "../../../../shared/workflow/activities/copySnapshotActivity";
import {
  compareChecksumsInputSchema,
  readReplicaProgressInputSchema,
  readSourcePositionInputSchema,
  setReplicationRunningInputSchema,
} from "../../../../shared/workflow/activities/cutoverActivities";
import { inspectReplicaInputSchema } from "../../../../shared/workflow/activities/inspectReplicaActivity";
import {
  claimLinkInputSchema,
  releaseLinkInputSchema,
} from "../../../../shared/workflow/activities/linkClaimActivities";
import {
  listActiveLinksInputSchema,
  loadLinkInputSchema,
  revalidateLinkInputSchema,
  setLinkStateInputSchema,
} from "../../../../shared/workflow/activities/linkMaintenanceActivities";
import { linkReplicaInputSchema } from "../../../../shared/workflow/activities/linkReplicaActivity";
import { openFirewallInputSchema } from "../../../../shared/workflow/activities/openFirewallActivity";
import { planLoadInputSchema } from "../../../../shared/workflow/activities/planLoadActivity";
import {
  planProbeBatchesInputSchema,
  probeBatchInputSchema,
} from "../../../../shared/workflow/activities/probeActivities";
import { recordLinkInputSchema } from "../../../../shared/workflow/activities/recordLinkActivity";
import { resetGtidInputSchema } from "../../../../shared/workflow/activities/resetGtidActivity";
import { rollbackInputSchema } from "../../../../shared/workflow/activities/rollbackActivity";
import {
  checkSourceLoginInputSchema,
  relinkReplicaInputSchema,
} from "../../../../shared/workflow/activities/rotationActivities";
import { setTableFilterInputSchema } from "../../../../shared/workflow/activities/tableFilterActivity";
import { undoLoadInputSchema } from "../../../../shared/workflow/activities/undoLoadActivity";
import { validateSourceInputSchema } from "../../../../shared/workflow/activities/validateSourceActivity";

const replica = {
  kind: "single",
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  resourceGroup: "rg-data",
  serverName: "my-replica",
  adminUser: "azureadmin",
  adminPassword: { keyVaultSecret: "https://my-vault.vault.azure.net/secrets/replica-admin" },
};
const source = {
  host: "db.example.com",
  port: 3306,
  replicationUser: "repl",
  replicationPassword: { appSetting: "REPLICATION_SECRET_REPL" },
  inspectionUser: "inspector",
  inspectionPassword: { appSetting: "REPLICATION_SECRET_INSPECTOR" },
};
const fqdn = "my-replica.mysql.database.azure.com";
const plan = {
  databases: ["shop"],
  preExisting: [],
  tables: 1,
  estimatedRows: 10,
  estimatedBytes: 100,
  method: "readLock",
};
const record = {
  id: "rpl-1",
  state: "replicating",
  source,
  replica,
  heartbeat: null,
};
const at = "2026-01-01T00:00:00.000Z";

/** Each schema with an input as its orchestrator builds it, and the paths where a secret reference is carried. */
const cases: [string, z.ZodType, unknown, string[][]][] = [
  [
    "validateSource",
    validateSourceInputSchema,
    { source, linking: "gtid", replica, ignoreTables: ["shop.tmp_%"] },
    [
      ["source", "replicationPassword"],
      ["source", "inspectionPassword"],
    ],
  ],
  [
    "inspectReplica",
    inspectReplicaInputSchema,
    { replica, firewallRuleName: "rule-1", linking: "binlogPosition" },
    [["replica", "adminPassword"]],
  ],
  [
    "planInitialLoad",
    planLoadInputSchema,
    {
      source,
      replica,
      fqdn,
      initialLoad: { databases: "all", parallelism: 4, existingTables: "refuse" },
      linking: "binlogPosition",
    },
    [["replica", "adminPassword"]],
  ],
  [
    "copyInitialLoad",
    copySnapshotInputSchema,
    { id: "rpl-1", source, replica, fqdn, plan, parallelism: 4 },
    [["source", "inspectionPassword"]],
  ],
  [
    "undoInitialLoad",
    undoLoadInputSchema,
    { source, replica, fqdn, plan: { databases: ["shop"], preExisting: [] } },
    [["replica", "adminPassword"]],
  ],
  ["openFirewall", openFirewallInputSchema, { replica, ruleName: "rule-1", ipv4: "203.0.113.7" }, []],
  [
    "resetReplicaGtid",
    resetGtidInputSchema,
    { replica: { ...replica, kind: "flexible" }, gtidSet: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-16" },
    [],
  ],
  ["setReplicaTableFilter", setTableFilterInputSchema, { replica, value: "shop.tmp_%" }, []],
  [
    "linkReplica",
    linkReplicaInputSchema,
    { replica, fqdn, source, binlog: { file: "mysql-bin.000042", position: 154 }, linking: "binlogPosition" },
    [
      ["replica", "adminPassword"],
      ["source", "replicationPassword"],
    ],
  ],
  [
    "checkReplication",
    checkReplicationInputSchema,
    { replica, fqdn, start: true, appliedBefore: null },
    [["replica", "adminPassword"]],
  ],
  [
    "rollbackProvisioning",
    rollbackInputSchema,
    {
      replica,
      fqdn: null,
      removeLink: false,
      onlyIfSource: { host: "db.example.com", port: 3306, user: "repl" },
      deleteFirewallRule: null,
      restoreTableFilter: null,
    },
    [["replica", "adminPassword"]],
  ],
  [
    "recordLink",
    recordLinkInputSchema,
    { record, at },
    [
      ["record", "replica", "adminPassword"],
      ["record", "source", "replicationPassword"],
    ],
  ],
  ["claimLink", claimLinkInputSchema, { id: "rpl-1", holdAs: "rotating", at }, []],
  [
    "releaseLink",
    releaseLinkInputSchema,
    {
      id: "rpl-1",
      heldAs: "rotating",
      at,
      state: "replicating",
      lastError: null,
      changes: { source: { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" } } },
    },
    [["changes", "source", "replicationPassword"]],
  ],
  ["checkSourceLogin", checkSourceLoginInputSchema, { source }, [["source", "replicationPassword"]]],
  [
    "relinkReplica",
    relinkReplicaInputSchema,
    { replica, fqdn, source, linking: "gtid" },
    [
      ["replica", "adminPassword"],
      ["source", "replicationPassword"],
    ],
  ],
  ["readSourcePosition", readSourcePositionInputSchema, { source }, [["source", "inspectionPassword"]]],
  ["readReplicaProgress", readReplicaProgressInputSchema, { replica, fqdn }, [["replica", "adminPassword"]]],
  [
    "setReplicationRunning",
    setReplicationRunningInputSchema,
    { replica, fqdn, running: false },
    [["replica", "adminPassword"]],
  ],
  [
    "compareChecksums",
    compareChecksumsInputSchema,
    { source, replica, fqdn, tables: ["shop.orders"] },
    [["source", "replicationPassword"]],
  ],
  ["listActiveLinks", listActiveLinksInputSchema, null, []],
  ["revalidateLink", revalidateLinkInputSchema, { id: "rpl-1", checkedAt: at }, []],
  ["loadLink", loadLinkInputSchema, "rpl-1", []],
  ["setLinkState", setLinkStateInputSchema, { id: "rpl-1", state: "removed", at, lastError: null }, []],
  ["planProbeBatches", planProbeBatchesInputSchema, { batchSize: 50 }, []],
  ["probeBatch", probeBatchInputSchema, { from: "rpl-1", to: "rpl-9", probedAt: at }, []],
];

function withValueAt(value: unknown, path: string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const object = value as Record<string, unknown>;
  return { ...object, [head]: withValueAt(object[head], rest, replacement) };
}

describe.each(cases)("the %s input", (_name, schema, wellFormed, secretPaths) => {
  it("decodes as its orchestrator builds it", () => {
    expect(schema.safeParse(wellFormed).success).toBe(true);
  });

  for (const path of secretPaths) {
    const joined = path.join(".");
    it(`refuses a password in place of the reference at ${joined}, naming it`, () => {
      const parsed = schema.safeParse(withValueAt(wellFormed, path, "hunter22-password"));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toContain(joined);
    });
  }
});

describe("the checkReplication input", () => {
  const first = { replica, fqdn, start: true };
  it("carries the previous read's applied position from the second read on, none before", () => {
    const parse = (appliedBefore: unknown) =>
      checkReplicationInputSchema.parse({ ...first, start: false, appliedBefore }).appliedBefore;
    expect(checkReplicationInputSchema.parse(first).appliedBefore).toBeUndefined();
    expect(parse(null)).toBeNull();
    expect(parse({ file: "mysql-bin.000042", position: 154 })).toEqual({
      file: "mysql-bin.000042",
      position: 154,
    });
  });

  it("refuses an applied position without its file or with a position that is not a number, naming it", () => {
    const parsed = checkReplicationInputSchema.safeParse({ ...first, appliedBefore: { position: "154" } });
    expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toEqual([
      "appliedBefore.file",
      "appliedBefore.position",
    ]);
  });
});
