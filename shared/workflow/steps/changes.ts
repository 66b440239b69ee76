// Steps that change the replica, in runbook order: open the firewall, reset GTID, seed, filter tables, link, register.
import type * as df from "durable-functions";
import { ARM_RETRY, LOAD_RETRY, MYSQL_RETRY, REGISTRY_RETRY } from "../retryPolicies";
import { type TableFilterState, type WorkflowError, replicaTarget } from "../provisionTypes";
import {
  OPEN_FIREWALL_ACTIVITY,
  type OpenFirewallInput,
  openFirewallResultSchema,
} from "../activities/openFirewallActivity";
import {
  RESET_GTID_ACTIVITY,
  type ResetGtidInput,
  resetGtidResultSchema,
} from "../activities/resetGtidActivity";
import {
  COPY_SNAPSHOT_ACTIVITY,
  type CopySnapshotInput,
  copySnapshotResultSchema,
} from "../activities/copySnapshotActivity";
import {
  SET_TABLE_FILTER_ACTIVITY,
  type SetTableFilterInput,
  setTableFilterResultSchema,
} from "../activities/tableFilterActivity";
import {
  LINK_REPLICA_ACTIVITY,
  type LinkReplicaInput,
  linkReplicaResultSchema,
} from "../activities/linkReplicaActivity";
import { RECORD_LINK_ACTIVITY, recordLinkResultSchema } from "../activities/recordLinkActivity";
import { IGNORE_TABLE_PARAMETER } from "../../request/tableFilters";
import { type LoadPlan } from "../../load/loadTypes";
import { callActivity, valueOf } from "./callActivity";
import { type Assessment } from "./assess";
import { type ProvisionRun } from "./provisionRun";

/** Resource Manager steps share their remedy. */
function armUnavailable(code: string, what: string): (reason: string) => WorkflowError {
  return (reason) => ({
    code,
    message: `${what} failed after retries: ${reason}`,
    remedy: "Check Resource Manager's availability and this app's permissions on the server.",
  });
}

/** Single Server: the replica's firewall admits the source's address (an existing rule is updated, and kept on undo). */
export function* openFirewall(run: ProvisionRun, assessment: Assessment): Generator<df.Task, void, unknown> {
  const { ruleName, report } = run;
  const address = assessment.sourceIpv4;
  const existedBefore = assessment.inspection.firewallRule !== null;
  run.begin("openingFirewall");
  run.undo.push({ kind: "firewallRule", ruleName, createdByThisRun: !existedBefore });
  const input: OpenFirewallInput = { replica: run.input.replica, ruleName, ipv4: address };
  valueOf(
    yield* callActivity(
      run.context,
      { name: OPEN_FIREWALL_ACTIVITY, policy: ARM_RETRY, input, schema: openFirewallResultSchema },
      armUnavailable("FIREWALL_RULE_FAILED", "Opening the firewall"),
    ),
  );
  report.firewallRule = { name: ruleName, address, createdByThisRun: !existedBefore };
  report.changes.push(`${existedBefore ? "updated" : "created"} firewall rule ${ruleName} for ${address}`);
}

/** Flexible Server, on request: the replica's GTID state set to the dump's. Nothing can undo it; the report says so. */
export function* resetGtid(run: ProvisionRun, gtidSet: string): Generator<df.Task, void, unknown> {
  run.begin("resettingGtid");
  const input: ResetGtidInput = { replica: replicaTarget(run.input.replica), gtidSet };
  valueOf(
    yield* callActivity(
      run.context,
      { name: RESET_GTID_ACTIVITY, policy: ARM_RETRY, input, schema: resetGtidResultSchema },
      armUnavailable("GTID_RESET_FAILED", "Resetting the replica's GTID state"),
    ),
  );
  run.report.changes.push(
    `reset the replica's GTID state to ${gtidSet} (resetGtid; the server's earlier backups are invalidated; not undone by a rollback)`,
  );
}

/** Seeds the replica: one copy at one snapshot; returns the coordinates the link starts from. */
export function* load(
  run: ProvisionRun,
  fqdn: string,
  plan: LoadPlan,
  parallelism: number,
): Generator<df.Task, { file: string; position: number }, unknown> {
  const { input, report } = run;
  run.begin("loading");
  run.undo.push({ kind: "load", plan });
  const copyInput: CopySnapshotInput = {
    id: input.id,
    source: input.source,
    replica: input.replica,
    fqdn,
    plan,
    parallelism,
  };
  const loaded = valueOf(
    yield* callActivity(
      run.context,
      {
        name: COPY_SNAPSHOT_ACTIVITY,
        policy: LOAD_RETRY,
        input: copyInput,
        schema: copySnapshotResultSchema,
      },
      (reason) => ({
        code: "LOAD_FAILED",
        message: `The initial load failed after retries: ${reason}`,
        remedy: "Check that the source and the replica stay reachable during the copy, then POST again.",
      }),
    ),
  );
  report.initialLoad = loaded;
  const { stats, coordinates } = loaded;
  run.loadStatus = {
    tablesTotal: stats.tables,
    tablesDone: stats.tables,
    rows: stats.rows,
    bytes: stats.bytes,
    rowsPerSecond: stats.rowsPerSecond,
  };
  report.changes.push(
    `loaded ${stats.tables} table(s), ${stats.rows} row(s) from ${loaded.databases.length} database(s) at ${coordinates.file}:${coordinates.position}`,
  );
  return { file: coordinates.file, position: coordinates.position };
}

/**
 * replicate_wild_ignore_table set through Resource Manager before the link exists, so no event of a filtered table is
 * ever applied. The previous value (read at inspection) is what a rollback puts back.
 */
export function* filterTables(
  run: ProvisionRun,
  ignoreTables: string[],
  wanted: { wantedValue: string; currentValue: string },
): Generator<df.Task, void, unknown> {
  run.begin("filteringTables");
  const state: TableFilterState = {
    parameter: IGNORE_TABLE_PARAMETER,
    ignoreTables,
    value: wanted.wantedValue,
    previousValue: wanted.currentValue,
  };
  run.undo.push({ kind: "tableFilter", state });
  const input: SetTableFilterInput = { replica: replicaTarget(run.input.replica), value: wanted.wantedValue };
  valueOf(
    yield* callActivity(
      run.context,
      { name: SET_TABLE_FILTER_ACTIVITY, policy: ARM_RETRY, input, schema: setTableFilterResultSchema },
      armUnavailable("TABLE_FILTER_FAILED", `Setting ${IGNORE_TABLE_PARAMETER}`),
    ),
  );
  run.report.tableFilters = state;
  run.report.changes.push(
    `set ${IGNORE_TABLE_PARAMETER} to ${wanted.wantedValue} (was ${wanted.currentValue || "empty"}; put back on rollback, teardown and cutover)`,
  );
}

/** Links the replica to the source, at the load's coordinates, the request's, or by GTID. */
export function* link(
  run: ProvisionRun,
  assessment: Assessment,
  loadCoordinates: { file: string; position: number } | null,
): Generator<df.Task, void, unknown> {
  const { input, report } = run;
  run.begin("linking");
  const undo = { kind: "link" } as const;
  run.undo.push(undo);
  const linkInput: LinkReplicaInput = {
    replica: input.replica,
    fqdn: assessment.fqdn,
    source: input.source,
    ...(loadCoordinates
      ? { binlog: loadCoordinates }
      : input.binlog && assessment.linking === "binlogPosition"
        ? { binlog: input.binlog }
        : {}),
    linking: assessment.linking,
  };
  const linked = yield* callActivity(
    run.context,
    { name: LINK_REPLICA_ACTIVITY, policy: MYSQL_RETRY, input: linkInput, schema: linkReplicaResultSchema },
    (reason) => ({
      code: "LINK_FAILED",
      message: `Linking failed after retries: ${reason}`,
      remedy: "Check that the replica is reachable from this app.",
    }),
  );
  // A link owned by someone else is not ours to remove.
  if (!linked.ok && linked.error.code === "LINK_CONFLICT") run.undo.splice(run.undo.indexOf(undo), 1);
  const { coordinates, gtidPosition, alreadyLinked } = valueOf(linked);
  report.coordinates = coordinates;
  report.gtidPosition = gtidPosition;
  report.changes.push(
    `${alreadyLinked ? "reused the existing link" : "linked the replica"} ${
      coordinates
        ? `at ${coordinates.file}:${coordinates.position}`
        : `by GTID from ${gtidPosition || "an empty GTID position"}`
    }`,
  );
}

/** Records the link as replicating in the registry. */
export function* register(run: ProvisionRun): Generator<df.Task, void, unknown> {
  run.begin("registering");
  yield* callActivity(
    run.context,
    {
      name: RECORD_LINK_ACTIVITY,
      policy: REGISTRY_RETRY,
      input: run.linkRecord("replicating", null),
      schema: recordLinkResultSchema,
    },
    (reason) => ({
      code: "REGISTRY_FAILED",
      message: `Recording the link failed after retries: ${reason}`,
      remedy: "Check the Functions storage account; the link was undone so a new run starts clean.",
    }),
  );
}
