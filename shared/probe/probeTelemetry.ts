// Transitions as named events and lag as a dimensioned metric, in the forms Application Insights queries for a Functions app.
import type { TokenCredential } from "@azure/core-auth";
import { type ProbeTransition } from "./probeStore";

/** customEvents name of a state change; the alert rules in infra/app/alerts.bicep query it. */
const TRANSITION_EVENT = "ReplicationLinkTransition";
/** customMetrics name of a link's lag (Seconds_Behind_Source), dimensioned by linkId and replica. */
const LAG_METRIC = "ReplicationLagSeconds";

/** The event's properties (customDimensions): identifiers, state and error only; never a secret or a reference. */
export function transitionProperties(transition: ProbeTransition): Record<string, string> {
  const properties: Record<string, string> = {
    linkId: transition.id,
    replica: transition.serverName,
    state: transition.state,
    previousState: transition.from ?? "none",
    at: transition.at,
  };
  if (transition.thread) properties.thread = transition.thread;
  if (transition.errno !== null) properties.errno = String(transition.errno);
  if (transition.error) properties.error = transition.error;
  if (transition.remedy) properties.remedy = transition.remedy;
  if (transition.lagSeconds !== null) properties.lagSeconds = String(transition.lagSeconds);
  return properties;
}

interface LagObservation {
  id: string;
  serverName: string;
  state: string;
  lagSeconds: number;
}

export interface ProbeTelemetry {
  transition(transition: ProbeTransition): void;
  lag(observation: LagObservation): void;
  /** Sends what is buffered (end of a batch): the Functions worker may be frozen once the activity returns. */
  flush(): Promise<void>;
}

/** The two calls of the Application Insights TelemetryClient this module uses. */
interface TelemetryClientLike {
  trackEvent(telemetry: { name: string; properties?: Record<string, string> }): void;
  trackMetric(telemetry: { name: string; value: number; properties?: Record<string, string> }): void;
  flush(): Promise<void> | void;
}

let sharedClient: TelemetryClientLike | null | undefined;

/**
 * The Application Insights client, when the app has a connection string (Azure sets APPLICATIONINSIGHTS_CONNECTION_STRING).
 * Loaded on first use: only the probe activity pays for the SDK. Sent with the managed identity when the app's
 * settings say so (APPLICATIONINSIGHTS_AUTHENTICATION_STRING; the template turns local auth off).
 */
function applicationInsightsClient(
  env: Record<string, string | undefined>,
  credential: () => TokenCredential,
): TelemetryClientLike | null {
  if (sharedClient !== undefined) return sharedClient;
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) {
    sharedClient = null;
    return null;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("applicationinsights") as typeof import("applicationinsights");
  // Own providers: the Functions host already collects requests and traces; this client sends only what it is given.
  const client = new sdk.TelemetryClient(connectionString, { useGlobalProviders: false });
  if (/Authorization=AAD/i.test(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "")) {
    client.config.aadTokenCredential = credential();
  }
  sharedClient = client;
  return client;
}

export interface ProbeTelemetryOptions {
  /** Writes one log line (context.log): Functions sends it to App Insights `traces` without any SDK. */
  log: (line: string) => void;
  env: Record<string, string | undefined>;
  credential: () => TokenCredential;
}

/**
 * Both forms: a structured log line `<name> <json>` (in `traces` wherever the Functions host logs, App Insights or not)
 * and, with Application Insights configured, a real custom event / custom metric with customDimensions.
 */
export function createProbeTelemetry(options: ProbeTelemetryOptions): ProbeTelemetry {
  let client: TelemetryClientLike | null = null;
  try {
    client = applicationInsightsClient(options.env, options.credential);
  } catch (error) {
    options.log(`telemetry: Application Insights client unavailable: ${(error as Error).message}`);
  }
  return {
    transition(transition) {
      const properties = transitionProperties(transition);
      options.log(`${TRANSITION_EVENT} ${JSON.stringify(properties)}`);
      client?.trackEvent({ name: TRANSITION_EVENT, properties });
    },
    lag(observation) {
      const properties = {
        linkId: observation.id,
        replica: observation.serverName,
        state: observation.state,
      };
      client?.trackMetric({ name: LAG_METRIC, value: observation.lagSeconds, properties });
    },
    async flush() {
      await client?.flush();
    },
  };
}
