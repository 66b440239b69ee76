// MySQL's compatibility rules between a source's and a replica's gtid_mode, for file/position and GTID linking.
import { type CheckResult, check } from "./checkResult";
import { type LinkingMethod } from "./gtidChecks";

export const GTID_MODES = ["OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"] as const;
export type GtidModeValue = (typeof GTID_MODES)[number];

export interface GtidModeFacts {
  gtidMode: string | null;
  enforceGtidConsistency: string | null;
}

function asMode(value: string | null): GtidModeValue | null {
  const upper = (value ?? "").toUpperCase();
  return (GTID_MODES as readonly string[]).includes(upper) ? (upper as GtidModeValue) : null;
}

/** OFF and OFF_PERMISSIVE write anonymous transactions; ON_PERMISSIVE and ON write GTID transactions. */
function writesGtids(mode: GtidModeValue): boolean {
  return mode === "ON_PERMISSIVE" || mode === "ON";
}

/**
 * What the replica's applier accepts (MySQL manual, "Replication Mode Concepts"): OFF only anonymous transactions,
 * ON only GTID transactions, the permissive modes both.
 */
function accepts(replica: GtidModeValue, gtidTransactions: boolean): boolean {
  if (replica === "OFF") return !gtidTransactions;
  if (replica === "ON") return gtidTransactions;
  return true;
}

/** The steps from one gtid_mode to another; Azure, like MySQL, moves one step at a time, and this app only goes up. */
export function gtidModePath(from: GtidModeValue, to: GtidModeValue): GtidModeValue[] {
  const start = GTID_MODES.indexOf(from);
  const end = GTID_MODES.indexOf(to);
  return end > start ? GTID_MODES.slice(start + 1, end + 1) : [];
}

function raiseReplicaRemedy(from: GtidModeValue, to: GtidModeValue): string {
  const steps = gtidModePath(from, to);
  const consistency = to === "ON" ? "set enforce_gtid_consistency to ON first, then " : "";
  return (
    `On the replica, ${consistency}set the server parameter gtid_mode one step at a time: ${[from, ...steps].join(" → ")} ` +
    `(portal: Server parameters; CLI: az mysql flexible-server parameter set --name gtid_mode --value ${steps[0] ?? to}, ` +
    `then the next value). Azure does not let gtid_mode go back down once raised.`
  );
}

/**
 * Judges the two servers' gtid_mode for the linking method before any change: a mismatch otherwise passes validation
 * and fails at start (1777 for auto-positioning with GTIDs off, or the applier refusing GTID or anonymous events).
 */
export function judgeGtidModes(
  source: GtidModeFacts,
  replica: GtidModeFacts,
  linking: LinkingMethod,
): CheckResult {
  const sourceMode = asMode(source.gtidMode);
  const replicaMode = asMode(replica.gtidMode);
  if (!sourceMode || !replicaMode) {
    return check(
      "GTID_MODE_COMPATIBLE",
      "skipped",
      `gtid_mode is not known on both servers (source ${source.gtidMode ?? "unknown"}, replica ${replica.gtidMode ?? "unknown"}).`,
    );
  }
  const found = `The source's gtid_mode is ${sourceMode} and the replica's is ${replicaMode}`;
  if (linking === "gtid") {
    if (replicaMode !== "ON") {
      return check(
        "GTID_MODE_COMPATIBLE",
        "fail",
        `${found}: GTID linking (auto-positioning) needs gtid_mode=ON on the replica.`,
        raiseReplicaRemedy(replicaMode, "ON"),
      );
    }
    // The source's own requirement (ON with enforce_gtid_consistency) is the GTID_MODE check.
    return check("GTID_MODE_COMPATIBLE", "pass", `${found}: the replica's side fits GTID linking.`);
  }
  const gtidTransactions = writesGtids(sourceMode);
  if (accepts(replicaMode, gtidTransactions)) {
    return check(
      "GTID_MODE_COMPATIBLE",
      "pass",
      `${found}: the replica applies the source's ${gtidTransactions ? "GTID" : "anonymous"} transactions by file/position.`,
    );
  }
  if (gtidTransactions) {
    return check(
      "GTID_MODE_COMPATIBLE",
      "fail",
      `${found}: the source writes GTID transactions, which a replica with gtid_mode=OFF cannot apply.`,
      `${raiseReplicaRemedy(replicaMode, "OFF_PERMISSIVE")} Or link by GTID after raising it to ON.`,
    );
  }
  return check(
    "GTID_MODE_COMPATIBLE",
    "fail",
    `${found}: the source writes anonymous transactions, which a replica with gtid_mode=ON cannot apply.`,
    "Raise the source's gtid_mode to ON (enforce_gtid_consistency=ON, then OFF_PERMISSIVE, ON_PERMISSIVE, ON) and link by GTID: Azure does not let the replica's gtid_mode go back down.",
  );
}
