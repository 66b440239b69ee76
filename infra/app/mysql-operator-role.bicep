// Custom role the app's identity holds on the resource group of the Azure Database for MySQL replicas, and its assignment there.
// Why custom: the app only reads servers, manages their firewall rules and the one server parameter of table filters
// (replicate_wild_ignore_table; the role cannot restrict which parameter), and polls the long-running operations. Contributor, or even the built-in MySQL
// contributor roles, would also let it change or delete the servers, their admins and their data; a leaked token of
// this identity should not be able to do that.
// Deployed at the replicas' resource group, which may differ from the app's own.

@description('azd environment name: keeps role names unique when several environments share a tenant.')
param environmentName string
@description('Principal id of the app\'s user-assigned identity.')
param principalId string

var roleDefinitionName = guid(subscription().id, resourceGroup().id, 'mysql-data-in-replication-operator', environmentName)

resource operatorRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleDefinitionName
  properties: {
    // Role names are unique per tenant, hence the environment and resource group in it.
    roleName: 'MySQL Data-in Replication Operator (${environmentName}, ${resourceGroup().name})'
    description: 'Read Azure Database for MySQL servers (Single and Flexible); create, read and delete their firewall rules; read and set server parameters; poll the resulting long-running operations. Nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        // Exactly shared/replica/armActions.ts REPLICA_ARM_ACTIONS (tests/infra compares them).
        actions: [
          // Single Server (Microsoft.DBforMySQL/servers)
          'Microsoft.DBforMySQL/servers/read'
          'Microsoft.DBforMySQL/servers/firewallRules/read'
          'Microsoft.DBforMySQL/servers/firewallRules/write'
          'Microsoft.DBforMySQL/servers/firewallRules/delete'
          // replicate_wild_ignore_table, when a request has table filters (set before linking, restored after)
          'Microsoft.DBforMySQL/servers/configurations/read'
          'Microsoft.DBforMySQL/servers/configurations/write'
          // Flexible Server (Microsoft.DBforMySQL/flexibleServers)
          'Microsoft.DBforMySQL/flexibleServers/read'
          'Microsoft.DBforMySQL/flexibleServers/firewallRules/read'
          'Microsoft.DBforMySQL/flexibleServers/firewallRules/write'
          'Microsoft.DBforMySQL/flexibleServers/firewallRules/delete'
          'Microsoft.DBforMySQL/flexibleServers/configurations/read'
          'Microsoft.DBforMySQL/flexibleServers/configurations/write'
          // resetGtid before a GTID link, when the request opts in (replica.resetGtid)
          'Microsoft.DBforMySQL/flexibleServers/resetGtid/action'
          // Firewall PUT and DELETE answer 202 with Azure-AsyncOperation and Location headers; the SDK's poller
          // GETs those URLs, which ARM authorizes with these two actions.
          'Microsoft.DBforMySQL/locations/azureAsyncOperation/read'
          'Microsoft.DBforMySQL/locations/operationResults/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// A custom role lives at subscription level whatever scope deploys it: refer to it in that canonical form.
var operatorRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)

resource operatorAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, operatorRoleId)
  properties: {
    roleDefinitionId: operatorRoleId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [
    operatorRole
  ]
}

output roleDefinitionId string = operatorRoleId
output roleName string = operatorRole.properties.roleName
