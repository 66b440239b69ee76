// The table of source checks, in report order: each row says what it needs, so what is skipped or left out follows from it.
import { accountChecks } from "./checks/accountChecks";
import { connectionChecks } from "./checks/connectionChecks";
import { schemaChecks } from "./checks/schemaChecks";
import { serverChecks } from "./checks/serverChecks";
import { type SourceCheck } from "./sourceCheck";

export const SOURCE_CHECKS: readonly SourceCheck[] = [
  connectionChecks.sourceAddress,
  connectionChecks.sourceReachable,
  connectionChecks.sourceTls,
  connectionChecks.replicationUserLogin,
  accountChecks.replicationPasswordLength,
  serverChecks.sourceFlavor,
  accountChecks.replicationPrivilege,
  connectionChecks.inspectionUserLogin,
  accountChecks.authPluginTls,
  serverChecks.logBin,
  serverChecks.binlogFormat,
  serverChecks.serverId,
  serverChecks.gtidMode,
  schemaChecks.primaryKeys,
  schemaChecks.innodbTables,
  schemaChecks.tableFilterForeignKeys,
  serverChecks.binlogCoordinates,
  serverChecks.binlogRetention,
  serverChecks.systemSchemaNotReplicated,
];
