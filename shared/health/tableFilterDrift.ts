// Pure: whether the replica's replicate_wild_ignore_table still holds what the link set, and what changed if not.
import { type DriftFinding } from "./linkHealth";
import { IGNORE_TABLE_PARAMETER, parseIgnoreValue, sameIgnoreValue } from "../request/tableFilters";
import { type LinkRecord } from "../registry/linkRegistry";

/** Reported, not repaired: someone changed the parameter on purpose or by mistake, and only they know which. */
export function tableFilterDrift(
  filter: NonNullable<LinkRecord["tableFilters"]>,
  now: string,
): DriftFinding | null {
  if (sameIgnoreValue(now, filter.value)) return null;
  const stillIgnored = filter.ignoreTables.every((pattern) =>
    parseIgnoreValue(now).some((item) => item.toLowerCase() === pattern.toLowerCase()),
  );
  return {
    code: "REPLICATION_FILTER_CHANGED",
    message: `The replica's ${IGNORE_TABLE_PARAMETER} is ${now || "empty"}, not the ${filter.value} this link set (filters.ignoreTables ${filter.ignoreTables.join(", ")}): ${
      stillIgnored
        ? "other patterns were added, so more tables are left out than asked."
        : "tables meant to be left out are replicated again."
    }`,
    remedy: `Set ${IGNORE_TABLE_PARAMETER} back to ${filter.value} (portal, az mysql ... parameter set), or provision the link again with the filters you want now.`,
  };
}
