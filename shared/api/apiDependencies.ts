// What every HTTP route of the API reads: the settings, the workflow's dependencies, and how a dry run waits between retries.
import { type AppConfig } from "../config/appConfig";
import { type WorkflowDependencies } from "../workflow/dependencies";
import { type Sleep } from "../workflow/runWithRetry";

export interface ApiDependencies {
  config: () => AppConfig;
  workflow: () => WorkflowDependencies;
  /** How a dry run waits between retries; real time unless a test injects a clock. */
  sleep?: Sleep;
}
