// How far a cutover's replica is from its source: caught up, broken, the lag sample, the source's read-only check.
import { type ReplicaProgress, type SourcePosition } from "../activities/cutoverActivities";
import { type OperationReport } from "../linkOperationTypes";
import { type CheckResult } from "../../domain/checkResult";
import { type LinkingMethod } from "../../domain/gtidChecks";
import { isPermanentReplicationError } from "../../errors/mysqlErrors";
import { mysqlGtidSubset, parseMysqlGtidSet } from "../../domain/gtidSets";

function binlogSequence(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : -1;
}

/** Whether the replica has applied everything the source has written, by the link's own method. */
export function caughtUp(method: LinkingMethod, source: SourcePosition, replica: ReplicaProgress): boolean {
  if (method === "gtid") {
    try {
      return mysqlGtidSubset(parseMysqlGtidSet(source.gtidExecuted), parseMysqlGtidSet(replica.gtidExecuted));
    } catch {
      return false;
    }
  }
  if (!source.file || source.position === null || !replica.appliedFile || replica.appliedPosition === null)
    return false;
  const sourceSeq = binlogSequence(source.file);
  const appliedSeq = binlogSequence(replica.appliedFile);
  if (appliedSeq !== sourceSeq) return appliedSeq > sourceSeq;
  return replica.appliedPosition >= source.position;
}

/** Why a link cannot be cut over as it is: a thread down or an error. null when it replicates. */
export function brokenReason(progress: ReplicaProgress): string | null {
  const r = progress.replication;
  if (!progress.configured) return "the replica has no replication link";
  if (r.lastSqlError)
    return `the SQL thread stopped on error ${r.lastSqlError.number}: ${r.lastSqlError.message}`;
  if (r.lastIoError && isPermanentReplicationError(r.lastIoError.number))
    return `the IO thread stopped on error ${r.lastIoError.number}: ${r.lastIoError.message}`;
  if (r.sqlThread !== "Yes") return "the SQL thread is not running";
  // "Connecting" after a transient error (2003) is a reconnect, not a break: the wait goes on, bounded by its timeout.
  if (r.ioThread === "No")
    return `the IO thread is not running${r.lastIoError ? ` (error ${r.lastIoError.number}: ${r.lastIoError.message})` : ""}`;
  return null;
}

/** One sample of the wait: bytes behind only when both sides are in the same binlog file of a file/position link. */
export function lagSample(
  at: Date,
  method: LinkingMethod,
  source: SourcePosition,
  replica: ReplicaProgress,
): OperationReport["lag"][number] {
  return {
    at: at.toISOString(),
    behindBytes:
      method === "binlogPosition" &&
      source.file !== null &&
      source.file === replica.appliedFile &&
      source.position !== null &&
      replica.appliedPosition !== null
        ? Math.max(0, source.position - replica.appliedPosition)
        : null,
    secondsBehindSource: replica.replication.secondsBehindSource,
  };
}

/** Where each side stands, by the link's method, for a message. */
export function positionsText(
  method: LinkingMethod,
  source: SourcePosition,
  replica: ReplicaProgress,
): string {
  return method === "gtid"
    ? `source at ${source.gtidExecuted}, replica at ${replica.gtidExecuted}`
    : `source at ${source.file}:${source.position}, replica at ${replica.appliedFile}:${replica.appliedPosition}`;
}

export function isReadOnly(source: SourcePosition): boolean {
  return source.readOnly || source.superReadOnly;
}

/** SOURCE_READ_ONLY: pass when read-only; otherwise fail when required, warn when the caller vouches for it. */
export function sourceReadOnlyCheck(source: SourcePosition, requireSourceReadOnly: boolean): CheckResult {
  const readOnly = isReadOnly(source);
  return {
    code: "SOURCE_READ_ONLY",
    status: readOnly ? "pass" : requireSourceReadOnly ? "fail" : "warn",
    message: readOnly
      ? `The source is read-only (read_only=${source.readOnly ? "ON" : "OFF"}, super_read_only=${source.superReadOnly ? "ON" : "OFF"}).`
      : requireSourceReadOnly
        ? "The source still accepts writes (read_only=OFF)."
        : "The source is not read-only; the caller says writes have stopped.",
    remedy: "SET GLOBAL super_read_only = ON on the source once the application no longer writes to it.",
  };
}
