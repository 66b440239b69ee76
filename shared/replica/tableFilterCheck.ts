// Pure: whether the replica's replicate_wild_ignore_table can take a request's table filters, and the value it would get.
import { type CheckResult, check } from "../domain/checkResult";
import {
  IGNORE_TABLE_PARAMETER,
  IGNORE_TABLE_VALUE_MAX_LENGTH,
  mergeIgnoreValue,
} from "../request/tableFilters";
import { type ServerParameterInfo } from "./replicaManager";

/**
 * Pure: replicate_wild_ignore_table as read for a request with table filters, judged: the merged value must fit the
 * parameter, and the parameter must be writable (read-only on some 5.7 Flexible Servers: MicrosoftDocs/azure-docs#85656).
 */
export function tableFilterCheck(
  parameter: ServerParameterInfo | null,
  patterns: readonly string[],
): { check: CheckResult; filter?: { currentValue: string; wantedValue: string } } {
  const code = "TABLE_FILTER_PARAMETER";
  if (!parameter)
    return {
      check: check(
        code,
        "fail",
        `The replica has no ${IGNORE_TABLE_PARAMETER} server parameter, so tables cannot be filtered out.`,
        "Leave filters out of the request, or use a server whose configurations list this parameter.",
      ),
    };
  if (parameter.isReadOnly)
    return {
      check: check(
        code,
        "fail",
        `The replica reports ${IGNORE_TABLE_PARAMETER} read-only (Azure refuses changes to it on some MySQL 5.7 Flexible Servers), so tables cannot be filtered out.`,
        "Use a MySQL 8.0 server, or leave filters out of the request and exclude the tables from the dump instead.",
      ),
    };
  const wantedValue = mergeIgnoreValue(parameter.value, patterns);
  if (wantedValue.length > IGNORE_TABLE_VALUE_MAX_LENGTH)
    return {
      check: check(
        code,
        "fail",
        `The replica's own ${IGNORE_TABLE_PARAMETER} (${parameter.value.length} characters) and the request's patterns together are ${wantedValue.length} characters, over this app's limit of ${IGNORE_TABLE_VALUE_MAX_LENGTH}.`,
        "Use fewer or wider patterns (db.% for a whole database), or shorten the server's own value first.",
      ),
    };
  const kept =
    parameter.value.trim() === ""
      ? ""
      : ` (its own patterns ${parameter.value} are kept and come back on removal)`;
  return {
    check: check(
      code,
      "pass",
      wantedValue === parameter.value
        ? `The replica's ${IGNORE_TABLE_PARAMETER} already holds every requested pattern: ${wantedValue}.`
        : `The replica's ${IGNORE_TABLE_PARAMETER} will be set to ${wantedValue} before linking${kept}.`,
    ),
    filter: { currentValue: parameter.value, wantedValue },
  };
}
