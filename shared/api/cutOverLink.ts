// POST /api/replications/{id}/cutover: promote the replica once it has everything (or dry-run the plan).
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { cutoverRequestSchema } from "../request/linkOperationRequests";
import { CUTOVER_ORCHESTRATOR, type CutoverInput } from "../workflow/cutoverOrchestrator";
import { activeLink } from "./activeLink";
import { type ApiDependencies } from "./apiDependencies";
import { json } from "./httpResults";
import { parseRequestBody } from "./parseRequestBody";
import { startLinkOperation } from "./startLinkOperation";

/** How often a cutover re-reads both sides while it waits (on durable timers). */
const CUTOVER_POLL_INTERVAL_SECONDS = 2;

export function cutOverLink(deps: ApiDependencies) {
  return async (request: HttpRequest, client: DurableClient): Promise<HttpResponseInit> => {
    const parsed = await parseRequestBody(request, cutoverRequestSchema);
    if ("response" in parsed) return parsed.response;
    const body = parsed.body;
    const loaded = await activeLink(deps, request, client, "cutover");
    if ("response" in loaded) return loaded.response;
    const { id } = loaded;
    const input: CutoverInput = {
      id,
      requireSourceReadOnly: body.requireSourceReadOnly,
      catchUpTimeoutSeconds: body.catchUpTimeoutSeconds,
      maxLagSeconds: body.maxLagSeconds,
      pollIntervalSeconds: CUTOVER_POLL_INTERVAL_SECONDS,
      checksumTables: body.checksumTables,
    };
    if (!body.dryRun) return startLinkOperation(request, client, id, "cutover", CUTOVER_ORCHESTRATOR, input);
    return json(200, {
      id,
      dryRun: true,
      plannedChanges: [
        body.requireSourceReadOnly
          ? "check that the source is read-only (read_only or super_read_only)"
          : "take the caller's word that writes to the source have stopped",
        `wait up to ${body.catchUpTimeoutSeconds} s until the replica has applied everything the source wrote; refuse when over ${body.maxLagSeconds} s behind or broken`,
        ...(body.checksumTables.length
          ? [`compare CHECKSUM TABLE for ${body.checksumTables.join(", ")}`]
          : []),
        "mysql.az_replication_stop, mysql.az_replication_remove_master, delete the firewall rule this app created",
        "mark the link cutOver with the final coordinates",
      ],
    });
  };
}
