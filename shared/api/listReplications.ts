// GET /api/replications: every registered link, oldest first, with its last health summary.
import type { HttpResponseInit } from "@azure/functions";
import { type ApiDependencies } from "./apiDependencies";
import { json } from "./httpResults";

export function listReplications(deps: ApiDependencies) {
  return async (): Promise<HttpResponseInit> => {
    const records = await deps.workflow().registry.list();
    records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return json(200, {
      replications: records.map(({ source, replica, ...record }) => ({
        id: record.id,
        state: record.state,
        source: { host: source.host, port: source.port, replicationUser: source.replicationUser },
        replica: { kind: replica.kind, resourceGroup: replica.resourceGroup, serverName: replica.serverName },
        health: record.lastHealth,
        updatedTime: record.updatedAt,
      })),
    });
  };
}
