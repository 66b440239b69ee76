// Teardown: stop replication, remove the link, put the table filter back, delete the rule this app created, mark the link removed.
import type * as df from "durable-functions";
import { z } from "zod";
import { REGISTRY_RETRY, ROLLBACK_RETRY } from "./retryPolicies";
import { ROLLBACK_ACTIVITY, type RollbackInput, type RollbackResult } from "./activities/rollbackActivity";
import {
  LOAD_LINK_ACTIVITY,
  SET_LINK_STATE_ACTIVITY,
  type SetLinkStateInput,
} from "./activities/linkMaintenanceActivities";
import { type LinkRecord } from "../registry/linkRegistry";
import { type RollbackAction } from "./provisionTypes";

export const TEARDOWN_ORCHESTRATOR = "teardownReplication";

export function teardownInstanceId(linkId: string): string {
  return `${linkId}-teardown`;
}

export interface TeardownOutput {
  id: string;
  state: "removed" | "failed";
  actions: RollbackAction[];
  error: string | null;
}

export function* teardownOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, TeardownOutput, unknown> {
  const id = z.string().min(1).parse(context.df.getInput());
  const at = () => context.df.currentUtcDateTime.toISOString();
  const record = (yield context.df.callActivityWithRetry(
    LOAD_LINK_ACTIVITY,
    REGISTRY_RETRY,
    id,
  )) as LinkRecord | null;
  if (!record) return { id, state: "failed", actions: [], error: "The link is not registered." };
  if (record.state === "removed") return { id, state: "removed", actions: [], error: null };
  context.df.setCustomStatus({ step: "removing" });
  const rollbackInput: RollbackInput = {
    replica: {
      kind: record.kind,
      subscriptionId: record.subscriptionId,
      resourceGroup: record.resourceGroup,
      serverName: record.serverName,
      adminUser: record.adminUser,
      adminPassword: record.adminPassword,
    },
    fqdn: record.replicaFqdn || null,
    removeLink: true,
    onlyIfSource: { host: record.sourceHost, port: record.sourcePort, user: record.replicationUser },
    deleteFirewallRule: record.firewallRuleCreatedByApp ? record.firewallRuleName : null,
    restoreTableFilter: record.tableFilters,
  };
  let result: RollbackResult;
  try {
    result = (yield context.df.callActivityWithRetry(
      ROLLBACK_ACTIVITY,
      ROLLBACK_RETRY,
      rollbackInput,
    )) as RollbackResult;
  } catch (error) {
    result = {
      ok: false,
      actions: [],
      error: (error as Error).message.split(" \n ")[0] ?? "teardown failed",
    };
  }
  const state: SetLinkStateInput = result.ok
    ? { id, state: "removed", at: at(), lastError: null }
    : { id, state: record.state, at: at(), lastError: `Teardown failed: ${result.error}` };
  yield context.df.callActivityWithRetry(SET_LINK_STATE_ACTIVITY, REGISTRY_RETRY, state);
  return {
    id,
    state: result.ok ? "removed" : "failed",
    actions: result.actions,
    error: result.ok ? null : result.error,
  };
}
