// The request log every emulator keeps, so tests can assert on what the real SDK clients actually sent (retries, polls, api-versions).
export interface LoggedRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  apiVersion: string | undefined;
  status: number;
  time: Date;
  /** True when the response came from an injected fault rather than the emulated service. */
  injected: boolean;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  record(entry: Omit<LoggedRequest, "time">): void {
    this.entries.push({ ...entry, time: new Date() });
  }

  clear(): void {
    this.entries.length = 0;
  }
}
