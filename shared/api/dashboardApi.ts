// The dashboard's routes: the page itself, every link with its probe state and lag samples, and one link's probe history.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { json } from "./httpResults";
import { linkIdParam } from "./linkIdParam";
import { DASHBOARD_CSP, DASHBOARD_HTML } from "./dashboardPage";
import { type ProbeRuntime } from "../workflow/probeRuntime";
import { type CurrentProbeRecord } from "../probe/probeStore";
import { SCHEDULED_PROBE_INSTANCE, type ProbeOutput } from "../workflow/probeOrchestrator";
import { instanceStatus } from "../workflow/singletonInstance";

/** Samples per link on the list (the inline chart) and on one link's page. */
const LIST_SAMPLES = 30;
const DETAIL_SAMPLES = 200;
const DETAIL_TRANSITIONS = 50;

export interface DashboardApiDependencies {
  probe: () => ProbeRuntime;
}

/** The public part of a probe record: state, error and remedy, lag; no reference, no password, no host secret. */
function probeView(record: CurrentProbeRecord | undefined) {
  if (!record) return null;
  return {
    state: record.state,
    since: record.since,
    thread: record.thread,
    errno: record.errno,
    error: record.error,
    diagnosis: record.diagnosis,
    remedy: record.remedy,
    lagSeconds: record.lastSampleLagSeconds ?? record.lagSeconds,
    heartbeatAgeSeconds: record.heartbeatAgeSeconds,
    lastSampleAt: record.lastSampleAt,
  };
}

/** The last completed pass's output; null before the first one (404). Any other failure is the request's error. */
async function lastPass(client: DurableClient): Promise<ProbeOutput | null> {
  const status = await instanceStatus(client, SCHEDULED_PROBE_INSTANCE);
  return status && String(status.runtimeStatus) === "Completed"
    ? ((status.output ?? null) as ProbeOutput | null)
    : null;
}

export function createDashboardApi(deps: DashboardApiDependencies) {
  return {
    page(): HttpResponseInit {
      return {
        status: 200,
        body: DASHBOARD_HTML,
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": DASHBOARD_CSP,
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "no-referrer",
        },
      };
    },

    async data(client: DurableClient): Promise<HttpResponseInit> {
      const runtime = deps.probe();
      const [records, current, pass] = await Promise.all([
        runtime.workflow.registry.list(),
        runtime.store.currentAll(),
        lastPass(client),
      ]);
      const byId = new Map(current.map((record) => [record.id, record]));
      records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const links = await Promise.all(
        records.map(async (record) => {
          const probe = byId.get(record.id);
          const samples = probe ? await runtime.store.samples(record.id, LIST_SAMPLES) : [];
          return {
            id: record.id,
            state: record.state,
            source: { host: record.source.host, port: record.source.port },
            replica: {
              kind: record.replica.kind,
              resourceGroup: record.replica.resourceGroup,
              serverName: record.replica.serverName,
            },
            probe: probeView(probe),
            // Only active links are probed: the last pass's time is theirs.
            lastProbeAt: record.state === "replicating" && probe ? (pass?.probedAt ?? probe.since) : null,
            samples,
          };
        }),
      );
      return json(200, {
        probe: pass
          ? {
              probedAt: pass.probedAt,
              probed: pass.probed,
              states: pass.states,
              transitionCount: pass.transitionCount,
            }
          : null,
        links,
      });
    },

    async link(request: HttpRequest): Promise<HttpResponseInit> {
      const param = linkIdParam(request);
      if ("response" in param) return param.response;
      const { id } = param;
      const store = deps.probe().store;
      const [transitions, samples, current] = await Promise.all([
        store.transitions(id, DETAIL_TRANSITIONS),
        store.samples(id, DETAIL_SAMPLES),
        store.currentRange(id, id),
      ]);
      return json(200, {
        id,
        probe: probeView(current.get(id)),
        transitions: transitions.map(({ serverName: _serverName, ...transition }) => transition),
        samples,
      });
    },
  };
}
