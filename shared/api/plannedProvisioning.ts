// Pure: what a provisioning would change, as a dry run reports it: firewalls, GTID reset, table filter, link and start.
import { IGNORE_TABLE_PARAMETER } from "../request/tableFilters";
import { type ProvisionRequest } from "../request/provisionRequest";
import { type ReplicaInspection } from "../workflow/activities/inspectReplicaActivity";
import { type LinkingChoice } from "../domain/linkingChoice";
import { sourceFirewallView } from "../domain/firewall";

/** The procedure call that would link the replica, with the password masked. */
function plannedLink(
  request: ProvisionRequest,
  method: LinkingChoice["method"],
  coordinates: { file: string; position: number } | null,
) {
  const common = {
    master_host: request.source.host,
    master_user: request.source.replicationUser,
    master_password: "********",
    master_port: request.source.port,
  };
  const sslCa = request.source.caCertificate ? "(the supplied CA certificate)" : "";
  if (method === "gtid") {
    return {
      procedure: "mysql.az_replication_change_master_with_gtid",
      arguments: { ...common, master_ssl_ca: sslCa },
    };
  }
  return {
    procedure: "mysql.az_replication_change_master",
    arguments: {
      ...common,
      master_log_file: coordinates?.file ?? "(current file at link time)",
      master_log_pos: coordinates?.position ?? "(current position at link time)",
      master_ssl_ca: sslCa,
    },
  };
}

export function plannedProvisioning(
  request: ProvisionRequest,
  inspection: ReplicaInspection,
  plan: {
    ruleName: string;
    method: LinkingChoice["method"];
    address: string | null;
    coordinates: { file: string; position: number } | null;
  },
) {
  const { replica } = request;
  const resetGtidTo = replica.resetGtid?.gtidSet;
  const serverPath = `/subscriptions/${replica.subscriptionId}/resourceGroups/${replica.resourceGroup}/providers/Microsoft.DBforMySQL/flexibleServers/${replica.serverName}`;
  return {
    sourceFirewall: sourceFirewallView({ ...inspection, kind: replica.kind }, replica.outboundAddress),
    firewallRule:
      plan.address && inspection.firewallDirection === "replicaAdmitsSource"
        ? {
            name: plan.ruleName,
            startIpAddress: plan.address,
            endIpAddress: plan.address,
            action: inspection.firewallRule ? "update" : "create",
          }
        : null,
    gtidReset:
      resetGtidTo !== undefined && plan.method === "gtid"
        ? {
            action: `POST ${inspection.server ? serverPath : "(the replica)"}/resetGtid`,
            gtidSet: resetGtidTo,
            invalidatesBackups: true,
          }
        : null,
    tableFilter: inspection.tableFilter
      ? {
          parameter: IGNORE_TABLE_PARAMETER,
          value: inspection.tableFilter.wantedValue,
          previousValue: inspection.tableFilter.currentValue,
        }
      : null,
    link: plannedLink(request, plan.method, plan.coordinates),
    start: "mysql.az_replication_start",
  };
}
