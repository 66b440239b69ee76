// A copy failure the operator must act on: a code, a message and the remedy, reported as the load's outcome.
export class LoadFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = "LoadFailure";
  }
}
