// What source validation is asked to check: the source's address and accounts, and what the link will need of it.
import { type LinkingMethod } from "../domain/gtidChecks";

export interface SourceValidationInput {
  host: string;
  port: number;
  replicationUser: string;
  replicationPassword: string;
  caCertificate?: string;
  inspection?: { user: string; password: string };
  binlog?: { file: string; position: number };
  linking: LinkingMethod;
  /** The replica's kind: Flexible Server only recommends primary keys (a warning), Single Server requires them. */
  replicaKind?: "single" | "flexible";
  /**
   * Tables left out of replication (replicate-wild-ignore-table patterns): not checked for keys and engines, and
   * foreign keys between them and replicated tables are reported.
   */
  ignoreTables?: readonly string[];
  allowPrivateAddresses: boolean;
  /**
   * Asked only when the source resolves to a private address (and allowPrivateAddresses is off): the replica's delegated
   * subnet when it is a VNet-integrated Flexible Server, which may reach a private source; null otherwise.
   */
  replicaVnetSubnet?: () => Promise<string | null>;
  connectTimeoutMs: number;
}
