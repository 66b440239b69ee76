// The shape every activity handler has: its typed input and the invocation's context, exactly as the host calls it.
import type { InvocationContext } from "@azure/functions";

export type ActivityHandler<Input, Result> = (input: Input, context: InvocationContext) => Promise<Result>;
