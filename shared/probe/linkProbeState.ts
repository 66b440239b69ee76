// What the probe concludes about one link: healthy, lagging, broken (which thread, which error) or unreachable.
import { diagnoseReplicationError } from "../errors/mysqlErrors";
import { type ProbeReading } from "./probeQuery";

export type ProbeState = "healthy" | "lagging" | "broken" | "unreachable";

export interface LinkProbeState {
  state: ProbeState;
  /** Which side failed for `broken`: the IO (receiver) thread, the SQL (applier) thread, or the link is gone. */
  thread: "io" | "sql" | "link" | null;
  /** The server's error number (0 for a thread stopped without one), or the client's for `unreachable`. */
  errno: number | null;
  /** The server's or driver's message, secrets redacted. */
  error: string | null;
  diagnosis: string | null;
  remedy: string | null;
  /** Seconds_Behind_Source; null when unknown (a thread is down, the replica unreachable), never 0 then. */
  lagSeconds: number | null;
  heartbeatAgeSeconds: number | null;
}

/** The part of a state whose change is a transition: a new error on a broken link is a new event. */
export function transitionKey(state: Pick<LinkProbeState, "state" | "thread" | "errno">): string {
  return state.state === "broken" ? `broken:${state.thread}:${state.errno ?? 0}` : state.state;
}

function broken(
  thread: "io" | "sql" | "link",
  errno: number,
  error: string,
  reading: ProbeReading,
): LinkProbeState {
  const diagnosis = errno ? diagnoseReplicationError(errno, error) : null;
  return {
    state: "broken",
    thread,
    errno,
    error,
    diagnosis: diagnosis?.message ?? error,
    remedy:
      diagnosis?.remedy ??
      (thread === "link"
        ? "Provision the link again (POST the original request)."
        : `Start replication again (mysql.az_replication_start) once you know why the ${thread.toUpperCase()} thread was stopped.`),
    lagSeconds: null,
    heartbeatAgeSeconds: reading.heartbeatAgeSeconds,
  };
}

/** Judges one reading; the lag threshold is HEALTH_PROBE_LAG_THRESHOLD_SECONDS. */
export function classifyReading(reading: ProbeReading, lagThresholdSeconds: number): LinkProbeState {
  const status = reading.status;
  if (!status.configured) return broken("link", 0, "The replica has no replication link.", reading);
  if (status.lastSqlErrno !== 0 || status.sqlRunning === "No") {
    return broken(
      "sql",
      status.lastSqlErrno,
      status.lastSqlError || "The SQL thread is stopped, with no error.",
      reading,
    );
  }
  // "Connecting" with an error is a receiver that cannot reach the source (2003, 1045...): broken, said now.
  if (status.lastIoErrno !== 0 && status.ioRunning !== "Yes") {
    return broken("io", status.lastIoErrno, status.lastIoError, reading);
  }
  if (status.ioRunning === "No") return broken("io", 0, "The IO thread is stopped, with no error.", reading);
  const lag = status.secondsBehind;
  return {
    state: lag !== null && lag > lagThresholdSeconds ? "lagging" : "healthy",
    thread: null,
    errno: null,
    error: null,
    diagnosis: null,
    remedy: null,
    lagSeconds: lag,
    heartbeatAgeSeconds: reading.heartbeatAgeSeconds,
  };
}

/** The replica could not be asked at all: connection refused, TLS, the admin login, a timeout, or the secret. */
export function unreachable(error: unknown, redact: (text: string) => string): LinkProbeState {
  const errno = (error as { errno?: unknown } | null)?.errno;
  const code = (error as { code?: unknown } | null)?.code;
  const message = redact(error instanceof Error ? error.message : String(error));
  return {
    state: "unreachable",
    thread: null,
    errno: typeof errno === "number" ? errno : null,
    error: typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message,
    diagnosis: "The probe could not query the replica.",
    remedy:
      "Check that the replica is running, that its firewall admits this app, and the admin login and its secret binding (replica-admin).",
    lagSeconds: null,
    heartbeatAgeSeconds: null,
  };
}
