// GET /api/replications: every registered link, oldest first, with its last health summary.
import type { HttpResponseInit } from "@azure/functions";
import { type ApiDependencies } from "./apiDependencies";
import { json } from "./httpResults";

export function listReplications(deps: ApiDependencies) {
  return async (): Promise<HttpResponseInit> => {
    const records = await deps.workflow().registry.list();
    records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return json(200, {
      replications: records.map((record) => ({
        id: record.id,
        state: record.state,
        source: { host: record.sourceHost, port: record.sourcePort, replicationUser: record.replicationUser },
        replica: { kind: record.kind, resourceGroup: record.resourceGroup, serverName: record.serverName },
        health: record.lastHealth,
        updatedTime: record.updatedAt,
      })),
    });
  };
}
