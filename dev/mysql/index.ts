// Entry point of the throwaway MySQL/MariaDB server kit used by tests, the sandbox and benchmarks.
export {
  startSource,
  startMariadbSource,
  gtidArgs,
  type SourceOptions,
  type BinlogFormat,
  type GtidMode,
} from "./startSource";
export {
  startAzureLikeReplica,
  type AzureLikeReplicaOptions,
  AZURE_ADMIN_PRIVILEGES,
} from "./startAzureLikeReplica";
export {
  MysqlServer,
  quoteIdentifier,
  type Row,
  type UserOptions,
  type TableOptions,
  type ConnectOptions,
} from "./mysqlServer";
export { readReplicationStatus, type ReplicationStatus, type ThreadState } from "./replicationStatus";
export {
  AZURE_REPLICATION_PROCEDURES,
  ERRNO_BAD_ARGUMENT,
  PROCEDURE_DEFINER,
} from "./azureReplicationProcedures";
export {
  detectServerBinary,
  installInstructions,
  repositoryRoot,
  type ServerBinary,
  type ServerFlavor,
} from "./serverBinary";
export { serverJanitor, SERVER_ROOT } from "./serverJanitor";
export { waitForReplicationStatus, type WaitOptions } from "./waitForReplicationStatus";
