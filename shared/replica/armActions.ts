// The Resource Manager actions the replica managers' calls need: the custom role in infra/ grants exactly these.
//
// Add an action here when a manager starts a new ARM call; tests/shared/replica/armActions.test.ts drives the managers
// against the ARM emulator and fails on a request no action below covers, and tests/infra fails until
// infra/app/mysql-operator-role.bicep grants the same list, no more and no less.

export const REPLICA_ARM_ACTIONS = [
  // Single Server (@azure/arm-mysql): servers.get, firewallRules get / createOrUpdate / delete.
  "Microsoft.DBforMySQL/servers/read",
  "Microsoft.DBforMySQL/servers/firewallRules/read",
  "Microsoft.DBforMySQL/servers/firewallRules/write",
  "Microsoft.DBforMySQL/servers/firewallRules/delete",
  // Table filters (request filters.ignoreTables): configurations get / createOrUpdate of replicate_wild_ignore_table.
  "Microsoft.DBforMySQL/servers/configurations/read",
  "Microsoft.DBforMySQL/servers/configurations/write",
  // Flexible Server (@azure/arm-mysql-flexible): the same calls.
  "Microsoft.DBforMySQL/flexibleServers/read",
  "Microsoft.DBforMySQL/flexibleServers/firewallRules/read",
  "Microsoft.DBforMySQL/flexibleServers/firewallRules/write",
  "Microsoft.DBforMySQL/flexibleServers/firewallRules/delete",
  // Table filters: configurations get / update (PATCH) of replicate_wild_ignore_table.
  "Microsoft.DBforMySQL/flexibleServers/configurations/read",
  "Microsoft.DBforMySQL/flexibleServers/configurations/write",
  // resetGtid (POST, a long-running action) before a GTID link, only when the request opts in (replica.resetGtid).
  "Microsoft.DBforMySQL/flexibleServers/resetGtid/action",
  // Firewall and configuration PUT/PATCH and DELETE may answer 202; the SDK's poller GETs the Azure-AsyncOperation or Location URL.
  "Microsoft.DBforMySQL/locations/azureAsyncOperation/read",
  "Microsoft.DBforMySQL/locations/operationResults/read",
] as const;
