// What the source checks may know of the request: no secret reaches a check, only the password's length.
import { type LinkingMethod } from "../domain/gtidChecks";
import { type SourceValidationInput } from "./sourceValidationInput";

export interface SourceCheckInput {
  host: string;
  port: number;
  replicationUser: string;
  /** The replication password's length in UTF-8 bytes. */
  replicationPasswordBytes: number;
  caCertificateSupplied: boolean;
  binlog?: { file: string; position: number };
  linking: LinkingMethod;
  replicaKind?: "single" | "flexible";
  ignoreTables: readonly string[];
}

export function sourceCheckInput(input: SourceValidationInput): SourceCheckInput {
  return {
    host: input.host,
    port: input.port,
    replicationUser: input.replicationUser,
    replicationPasswordBytes: Buffer.byteLength(input.replicationPassword, "utf8"),
    caCertificateSupplied: Boolean(input.caCertificate),
    ...(input.binlog ? { binlog: input.binlog } : {}),
    linking: input.linking,
    ...(input.replicaKind ? { replicaKind: input.replicaKind } : {}),
    ignoreTables: input.ignoreTables ?? [],
  };
}
