// Re-validation's source pass: validate the source again with the link's own accounts and report failures as drift.
import { type LinkRecord } from "../registry/linkRegistry";
import { resolveSourcePassword } from "../secrets/resolveSourcePassword";
import { type CheckResult } from "../domain/checkResult";
import { validateSource } from "../source/sourceValidation";
import { type ReplicationStatus } from "../replica/replicationStatus";
import { type DriftFinding } from "./linkHealth";
import { type RevalidationDependencies } from "./revalidationDependencies";
import { type RevalidationFindings } from "./revalidationFindings";

/** Source checks whose failure is drift rather than a broken link (address checks depend on where this app runs). */
const SOURCE_DRIFT_IGNORED = new Set(["SOURCE_ADDRESS", "SYSTEM_SCHEMA_NOT_REPLICATED"]);

/** Pure: the drift a source validation's failed checks mean for a running link. */
export function sourceDriftFindings(checks: readonly CheckResult[]): DriftFinding[] {
  return checks
    .filter((item) => item.status === "fail" && !SOURCE_DRIFT_IGNORED.has(item.code))
    .map((item) =>
      item.code === "BINLOG_COORDINATES"
        ? {
            code: "BINLOG_PURGED",
            message: `The binlog the replica still needs is gone from the source: ${item.message}`,
            remedy:
              "Re-seed the replica from a new dump and provision again; raise binlog retention on the source.",
          }
        : {
            code: item.code.startsWith("SOURCE_") ? item.code : `SOURCE_${item.code}`,
            message: item.message,
            remedy: item.remedy,
          },
    );
}

async function resolveSourcePasswords(
  deps: RevalidationDependencies,
  record: LinkRecord,
  out: RevalidationFindings,
): Promise<{ replicationPassword: string; inspectionPassword: string | undefined }> {
  const replicationPassword = await resolveSourcePassword(deps.secrets, record.source, "replication");
  out.secrets.push(replicationPassword);
  const inspectionPassword = record.source.inspectionPassword
    ? await resolveSourcePassword(deps.secrets, record.source, "inspection")
    : undefined;
  if (inspectionPassword) out.secrets.push(inspectionPassword);
  return { replicationPassword, inspectionPassword };
}

/** Adds the source's drift to `out`; `status` names the binlog the replica still needs, when it could be read. */
export async function sourceDrift(
  deps: RevalidationDependencies,
  record: LinkRecord,
  status: ReplicationStatus | null,
  out: RevalidationFindings,
): Promise<void> {
  const { replicationPassword, inspectionPassword } = await resolveSourcePasswords(deps, record, out);
  const needed = status?.sourceLogFile
    ? { file: status.sourceLogFile, position: status.readSourceLogPos ?? 4 }
    : undefined;
  const { source } = record;
  const validation = await validateSource({
    host: source.host,
    port: source.port,
    replicationUser: source.replicationUser,
    replicationPassword,
    ...(source.caCertificate ? { caCertificate: source.caCertificate } : {}),
    ...(source.inspectionUser && inspectionPassword
      ? { inspection: { user: source.inspectionUser, password: inspectionPassword } }
      : {}),
    ...(needed ? { binlog: needed } : {}),
    linking: record.linking,
    replicaKind: record.replica.kind,
    ...(record.tableFilters ? { ignoreTables: record.tableFilters.ignoreTables } : {}),
    allowPrivateAddresses: deps.config.ALLOW_PRIVATE_SOURCE_ADDRESSES,
    replicaVnetSubnet: () => Promise.resolve(out.vnetSubnet),
    connectTimeoutMs: deps.config.MYSQL_CONNECT_TIMEOUT_SECONDS * 1000,
  });
  out.drift.push(...sourceDriftFindings(validation.checks));
}
