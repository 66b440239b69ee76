// Re-validation's safe recoveries on the replica: skip an SQL error the link's policy allows, restart a stopped IO thread.
import { setTimeout as sleep } from "node:timers/promises";
import { type LinkRecord, type LinkRegistry, type SkipRule } from "../registry/linkRegistry";
import { type MysqlSession, readGlobalVariables, type ServerIdentity } from "../mysql/mysqlSession";
import { callSkipCounter, callSkipGtidTransaction, callStart } from "../replica/replicaSql";
import { type ReplicationStatus, readReplicationStatus } from "../replica/replicationStatus";
import { isPermanentReplicationError } from "../errors/mysqlErrors";
import { type RevalidationFindings } from "./revalidationFindings";

const RESTART_ATTEMPTS = 3;
const RESTART_FIRST_BACKOFF_MS = 1_000;
const THREAD_WAIT_MS = 5_000;
const THREAD_POLL_MS = 200;

async function waitForThreads(
  session: MysqlSession,
  identity: ServerIdentity,
  done: (status: ReplicationStatus) => boolean,
): Promise<ReplicationStatus> {
  const deadline = Date.now() + THREAD_WAIT_MS;
  for (;;) {
    const status = await readReplicationStatus(session, identity);
    if (done(status) || Date.now() >= deadline) return status;
    await sleep(THREAD_POLL_MS);
  }
}

/**
 * Counts one skip of `errno` on the link's row before it is made, under optimistic concurrency: two passes racing on
 * the same error cannot both stay under the maximum. Returns the count including this skip, or null when the policy
 * is used up (or the link is no longer active) and nothing may be skipped.
 */
async function reserveSkip(registry: LinkRegistry, id: string, rule: SkipRule): Promise<number | null> {
  const key = String(rule.errno);
  const written = await registry.update(id, (current) => {
    const used = current.skipCounts[key] ?? 0;
    if (current.state !== "replicating" || used >= rule.maxSkips) return null;
    return { ...current, skipCounts: { ...current.skipCounts, [key]: used + 1 } };
  });
  return written ? (written.skipCounts[key] ?? 0) : null;
}

/**
 * Whether the link carries GTIDs, so a skip must name the transaction: an auto-positioned (GTID) link, or a replica
 * whose gtid_mode is ON (every HA replica; MySQL 5.7 refuses the skip counter there).
 */
async function linkUsesGtids(
  session: MysqlSession,
  record: LinkRecord,
  status: ReplicationStatus,
): Promise<boolean> {
  if (record.linking === "gtid" || status.usingGtid === "1") return true;
  const variables = await readGlobalVariables(session, ["gtid_mode"]);
  return (variables.get("gtid_mode") ?? "").toUpperCase() === "ON";
}

async function skipSqlError(
  registry: LinkRegistry,
  record: LinkRecord,
  session: MysqlSession,
  identity: ServerIdentity,
  status: ReplicationStatus,
  out: RevalidationFindings,
): Promise<ReplicationStatus> {
  const errno = status.lastSqlErrno;
  const rule = record.skipPolicy.find((item) => item.errno === errno);
  if (!rule) {
    out.notTaken.push({
      action: "skipSqlError",
      reason: `SQL error ${errno} is not in this link's skip policy: skipping would hide data drift, so it is left to an operator.`,
    });
    return status;
  }
  const gtids = await linkUsesGtids(session, record, status);
  // A GTID link can only skip the transaction it names; without its GTID nothing is skipped (and nothing counted).
  if (gtids && !status.failedTransactionGtid) {
    out.notTaken.push({
      action: "skipSqlError",
      reason: `SQL error ${errno} is on a link with GTIDs on, and the replica does not name the failing transaction's GTID (performance_schema.replication_applier_status_by_worker): skip it by hand with CALL mysql.az_replication_skip_gtid_transaction('<uuid:n>').`,
    });
    return status;
  }
  // Counted before the call: a skip that then fails still counts, so the maximum is never exceeded.
  const reserved = await reserveSkip(registry, record.id, rule);
  if (reserved === null) {
    out.notTaken.push({
      action: "skipSqlError",
      reason: `SQL error ${errno} has already been skipped ${rule.maxSkips} time(s), the policy's maximum.`,
    });
    return status;
  }
  const skipped = status.lastSqlError;
  const gtid = gtids ? status.failedTransactionGtid : null;
  if (gtid) await callSkipGtidTransaction(session, gtid);
  else await callSkipCounter(session);
  const after = await waitForThreads(
    session,
    identity,
    (s) => s.sqlRunning === "Yes" || s.lastSqlErrno !== 0,
  );
  out.recovery.push({
    action: "skipSqlError",
    outcome: after.sqlRunning === "Yes" || after.lastSqlError !== skipped ? "done" : "failed",
    detail: gtid
      ? `skipped transaction ${gtid} with az_replication_skip_gtid_transaction (${reserved}/${rule.maxSkips} for error ${errno}): ${skipped}`
      : `skipped one event (${reserved}/${rule.maxSkips} for error ${errno}): ${skipped}`,
  });
  return after;
}

async function restartIoThread(
  replica: { session: MysqlSession; identity: ServerIdentity; status: ReplicationStatus },
  out: RevalidationFindings,
): Promise<ReplicationStatus> {
  const { session, identity } = replica;
  let status = replica.status;
  let backoffMs = RESTART_FIRST_BACKOFF_MS;
  for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt += 1) {
    await callStart(session);
    status = await waitForThreads(session, identity, (s) => s.ioRunning === "Yes");
    if (status.ioRunning === "Yes") {
      out.recovery.push({
        action: "restartIoThread",
        outcome: "done",
        detail: `IO thread running after attempt ${attempt}`,
      });
      return status;
    }
    if (attempt < RESTART_ATTEMPTS) {
      await sleep(backoffMs);
      backoffMs *= 2;
    }
  }
  out.recovery.push({
    action: "restartIoThread",
    outcome: "failed",
    detail: `IO thread still ${status.ioRunning} after ${RESTART_ATTEMPTS} attempts (error ${status.lastIoErrno})`,
  });
  return status;
}

/** Makes the recoveries that are safe for this link and records those it did not make, with why; returns the status after. */
export async function recoverThreads(
  registry: LinkRegistry,
  record: LinkRecord,
  session: MysqlSession,
  identity: ServerIdentity,
  initial: ReplicationStatus,
  out: RevalidationFindings,
): Promise<ReplicationStatus> {
  let status = initial;
  if (status.lastSqlErrno !== 0 && status.sqlRunning !== "Yes") {
    status = await skipSqlError(registry, record, session, identity, status, out);
  }
  if (status.ioRunning === "No" && status.lastIoErrno !== 0) {
    if (isPermanentReplicationError(status.lastIoErrno)) {
      out.notTaken.push({
        action: "restartIoThread",
        reason: `IO error ${status.lastIoErrno} is permanent; restarting would fail the same way.`,
      });
    } else {
      status = await restartIoThread({ session, identity, status }, out);
    }
  } else if (status.ioRunning === "Connecting") {
    out.notTaken.push({
      action: "restartIoThread",
      reason: "The IO thread is reconnecting on its own (Connecting); nothing to restart.",
    });
  }
  return status;
}
