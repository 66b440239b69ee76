// What the rules comparing the servers read of the replica (the inspectReplica activity's result has this shape and more).
import { type ReplicaGtidFacts } from "./gtidChecks";
import { type ReplicaLinkState } from "./linkIdentity";
import { type ServerIdentity } from "./serverIdentity";

export interface ReplicaFacts {
  firewallDirection: "replicaAdmitsSource" | "sourceAdmitsReplica";
  /** Resource Manager's view; null when the server could not be read. */
  server: { kind: "single" | "flexible"; fqdn: string; version: string } | null;
  /** The admin session's view; null when no session could be opened. */
  sql: {
    identity: ServerIdentity;
    serverId: number;
    lowerCaseTableNames: number;
    generateInvisiblePrimaryKey: boolean | null;
    redirectServerHost: { host: string; addresses: string[] } | null;
    status: ReplicaLinkState & { ioRunning: string; sqlRunning: string };
    gtid: ReplicaGtidFacts;
  } | null;
}
