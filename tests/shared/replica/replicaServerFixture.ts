// A ready General Purpose Flexible Server as Resource Manager reports it, for the tests of the rules that judge one.
import { type ReplicaServerInfo } from "../../../shared/replica/replicaManager";

export const flexibleServer: ReplicaServerInfo = {
  kind: "flexible",
  name: "replica1",
  fqdn: "replica1.mysql.database.azure.com",
  version: "8.0.21",
  tier: "GeneralPurpose",
  skuName: "Standard_D2ds_v4",
  state: "Ready",
  sslEnforcement: null,
  publicNetworkAccess: "Enabled",
  delegatedSubnetResourceId: null,
  highAvailabilityMode: "Disabled",
  administratorLogin: "admin1",
};
