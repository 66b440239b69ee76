// Entry point of the throwaway MySQL/MariaDB server kit used by tests, the sandbox and benchmarks.
export { startSource, startMariadbSource, type SourceOptions, type GtidMode } from "./startSource";
export { startAzureLikeReplica } from "./startAzureLikeReplica";
export { MysqlServer } from "./mysqlServer";
export { AZURE_REPLICATION_PROCEDURES } from "./azureReplicationProcedures";
export { detectServerBinary, installInstructions, repositoryRoot, type ServerBinary } from "./serverBinary";
