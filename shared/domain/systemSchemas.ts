// The schemas that belong to the server (and to Azure), never to a link: a request may not name them, a load never copies them.

export const SYSTEM_SCHEMAS = ["mysql", "sys", "information_schema", "performance_schema"] as const;
