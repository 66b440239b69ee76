// How functions/ registers an HTTP route of the API or a scheduled pass: each trigger gets the durable client.
import {
  app,
  type HttpMethod,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import * as df from "durable-functions";
import { startScheduledPass } from "../../shared/workflow/singletonInstance";

// In a subfolder because the Functions host loads dist/functions/*.js as entry points; this module registers nothing.

type DurableHttpHandler = (
  request: HttpRequest,
  client: df.DurableClient,
  context: InvocationContext,
) => Promise<HttpResponseInit> | HttpResponseInit;

/** A route under /api, behind a function key, with the durable client in hand. */
export function durableHttpRoute(
  name: string,
  methods: HttpMethod[],
  path: string,
  handler: DurableHttpHandler,
): void {
  app.http(name, {
    route: path,
    methods,
    authLevel: "function",
    extraInputs: [df.input.durableClient()],
    handler: (request, context) => handler(request, df.getClient(context), context),
  });
}

/** A timer that starts `pass` (startScheduledPass: skipped while the previous pass runs, a failure logged and thrown). */
export function scheduledPassTimer(
  name: string,
  schedule: string,
  pass: Parameters<typeof startScheduledPass>[2],
): void {
  app.timer(name, {
    schedule,
    extraInputs: [df.input.durableClient()],
    handler: (_timer, context) => startScheduledPass(df.getClient(context), context, pass),
  });
}
