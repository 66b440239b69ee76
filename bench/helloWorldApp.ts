// The cold-start baseline: the smallest Azure Functions v4 app, one HTTP function answering "hello".
import { app } from "@azure/functions";

app.http("hello", {
  methods: ["GET"],
  authLevel: "anonymous",
  handler: () => ({ body: "hello" }),
});
