// The one error the local host throws for anything it does not emulate, so a gap never passes silently.

export class NotSupportedByLocalHostError extends Error {
  constructor(what: string, hint?: string) {
    super(`${what} is not supported by the local host${hint ? `: ${hint}` : ""}`);
    this.name = "NotSupportedByLocalHostError";
  }
}
