// The ARM JSON the real Bicep compiler makes of infra/main.bicep agrees with the app: its settings schema, the %NAMES% its bindings resolve, and the ARM actions its code calls.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appConfigSchema, parseAppConfig } from "../../shared/config/appConfig";
import { REPLICA_ARM_ACTIONS } from "../../shared/replica/armActions";
import { evaluate } from "./armExpression";

const ROOT = join(__dirname, "..", "..");

interface Resource {
  type: string;
  name: string;
  identity?: unknown;
  properties?: Record<string, unknown>;
}
interface Template {
  parameters?: Record<string, { type: string; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: Resource[] | Record<string, Resource>;
}

function execFailure(error: unknown): string {
  const { stderr, message } = error as { stderr?: string | Buffer; message?: string };
  return (stderr?.toString() ?? "").trim() || (message ?? String(error));
}

/** Compiles infra/main.bicep with the Bicep CLI that `npm run infra:check` installed; never skips. */
function compileMainTemplate(): Template {
  let bicep: string;
  try {
    bicep = execFileSync("bash", [join(ROOT, "dev/scripts/install-bicep.sh")], {
      env: { ...process.env, BICEP_INSTALL_OFFLINE: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    throw new Error(
      `No Bicep CLI to compile infra/ with: run \`npm run infra:check\` first.\n${execFailure(error)}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "bicep-test-"));
  try {
    const file = join(dir, "main.json");
    try {
      execFileSync(bicep, ["build", join(ROOT, "infra/main.bicep"), "--outfile", file], {
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      throw new Error(
        `bicep build infra/main.bicep failed (npm run infra:check shows why):\n${execFailure(error)}`,
      );
    }
    return JSON.parse(readFileSync(file, "utf8")) as Template;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const resourcesOf = (template: Template): Resource[] =>
  Array.isArray(template.resources) ? template.resources : Object.values(template.resources);

/** Every resource of a type, in this template or any module's nested template, with the template it sits in. */
function findResources(template: Template, type: string): { resource: Resource; template: Template }[] {
  return resourcesOf(template).flatMap((resource) => {
    const nested = resource.properties?.template as Template | undefined;
    const own = resource.type.toLowerCase() === type.toLowerCase() ? [{ resource, template }] : [];
    return nested ? [...own, ...findResources(nested, type)] : own;
  });
}

function single<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0] as T;
}

/** %NAME% references the Functions host resolves from app settings: host.json and the functions' bindings. */
function bindingSettingNames(): string[] {
  const sources = [
    join(ROOT, "host.json"),
    ...readdirSync(join(ROOT, "functions"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(ROOT, "functions", f)),
  ];
  const names = new Set<string>();
  for (const file of sources) {
    for (const match of readFileSync(file, "utf8").matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g))
      names.add(match[1] ?? "");
  }
  return [...names].sort();
}

// What the api module receives at deployment; values shaped like the real ones.
const CLIENT_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const IDENTITY_ID =
  "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api-abc";
const apiParameters = (storageSuffix: string, vaultSuffix: string): Record<string, unknown> => ({
  name: "func-api-abc",
  planName: "plan-abc",
  location: "westeurope",
  identityId: IDENTITY_ID,
  identityClientId: CLIENT_ID,
  storageAccountName: "stabc",
  storageBlobEndpoint: `https://stabc.blob.${storageSuffix}/`,
  storageQueueEndpoint: `https://stabc.queue.${storageSuffix}/`,
  storageTableEndpoint: `https://stabc.table.${storageSuffix}/`,
  deploymentContainerName: "app-package-func-api-abc-abc",
  applicationInsightsConnectionString:
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
  keyVaultHost: `kv-abc${vaultSuffix}`,
  durableTaskHubName: "replicationdev",
});

const CLOUDS = [
  {
    cloud: "AzureCloud",
    resourceManager: "https://management.azure.com/",
    storageSuffix: "core.windows.net",
    vaultSuffix: ".vault.azure.net",
  },
  {
    cloud: "AzureUSGovernment",
    resourceManager: "https://management.usgovcloudapi.net/",
    storageSuffix: "core.usgovcloudapi.net",
    vaultSuffix: ".vault.usgovcloudapi.net",
  },
] as const;

describe("infra/main.bicep compiled by the Bicep CLI", () => {
  let main: Template;

  beforeAll(() => {
    main = compileMainTemplate();
  });

  describe.each(CLOUDS)("the Function App's settings in $cloud", (cloud) => {
    let settings: Record<string, unknown>;
    let parameters: Record<string, unknown>;

    beforeAll(() => {
      const { resource, template } = single(
        findResources(main, "Microsoft.Web/sites/config").filter((r) =>
          String(r.resource.name).includes("appsettings"),
        ),
        "Microsoft.Web/sites/config appsettings resource",
      );
      const given = apiParameters(cloud.storageSuffix, cloud.vaultSuffix);
      const environment = { name: cloud.cloud, resourceManager: cloud.resourceManager };
      // A parameter without a default must come from the sample above, so a new one is noticed here.
      parameters = {};
      for (const [name, declaration] of Object.entries(template.parameters ?? {})) {
        if (name in given) parameters[name] = given[name];
        else if ("defaultValue" in declaration) {
          parameters[name] = evaluate(declaration.defaultValue, {
            parameters: {},
            variables: {},
            environment,
          });
        } else throw new Error(`api module parameter ${name} has no sample value in this test`);
      }
      settings = evaluate(resource.properties, {
        parameters,
        variables: template.variables ?? {},
        environment,
      }) as Record<string, unknown>;
    });

    it("are all strings", () => {
      for (const [name, value] of Object.entries(settings))
        expect([name, typeof value]).toEqual([name, "string"]);
    });

    it("set every setting the app's schema requires, and pass the app's own startup validation", () => {
      // Required = no default and not optional; today the schema has none such, only the storage rule below.
      const required = Object.entries(appConfigSchema.shape)
        .filter(([, schema]) => !schema.safeParse(undefined).success)
        .map(([name]) => name);
      for (const name of required) expect(settings).toHaveProperty([name]);

      const config = parseAppConfig(settings as Record<string, string>);
      // The vault the template creates is the one host secret references may name.
      expect(config.KEY_VAULT_ALLOWED_HOSTS).toEqual([parameters.keyVaultHost]);
      // The app's ARM clients talk to this cloud's Resource Manager.
      expect(config.ARM_ENDPOINT.replace(/\/+$/, "")).toBe(cloud.resourceManager.replace(/\/+$/, ""));
      expect(config.AzureWebJobsStorage__tableServiceUri).toBe(parameters.storageTableEndpoint);
    });

    it("pick the user-assigned identity for DefaultAzureCredential and host storage", () => {
      expect(settings).toMatchObject({
        AZURE_CLIENT_ID: CLIENT_ID,
        AzureWebJobsStorage__clientId: CLIENT_ID,
        AzureWebJobsStorage__credential: "managedidentity",
      });
      // Only public Azure derives endpoints from the account name; elsewhere it would point at the wrong cloud.
      if (cloud.cloud === "AzureCloud") expect(settings.AzureWebJobsStorage__accountName).toBe("stabc");
      else expect(settings).not.toHaveProperty(["AzureWebJobsStorage__accountName"]);
    });

    it("set every %NAME% that host.json and the functions' bindings resolve", () => {
      const names = bindingSettingNames();
      expect(names).toEqual(expect.arrayContaining(["DURABLE_TASK_HUB_NAME", "REVALIDATION_SCHEDULE"]));
      for (const name of names) expect([name, typeof settings[name]]).toEqual([name, "string"]);
    });

    it("name only settings something reads (no typos)", () => {
      const known = new Set([...Object.keys(appConfigSchema.shape), ...bindingSettingNames()]);
      // Read by the Functions host and its Application Insights integration, not by the app's schema.
      const hostSetting =
        /^(AzureWebJobsStorage__[A-Za-z]+|APPLICATIONINSIGHTS_(CONNECTION|AUTHENTICATION)_STRING)$/;
      const unknown = Object.keys(settings).filter((name) => !known.has(name) && !hostSetting.test(name));
      expect(unknown).toEqual([]);
    });
  });

  it("runs the Function App as the identity whose client id the settings name", () => {
    const { resource } = single(findResources(main, "Microsoft.Web/sites"), "Microsoft.Web/sites resource");
    expect(resource.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: { "[format('{0}', parameters('identityId'))]": {} },
    });
    expect(resource.properties?.keyVaultReferenceIdentity).toBe("[parameters('identityId')]");
  });

  it("grants the app's identity a custom role with exactly the ARM actions the replica managers call", () => {
    const { resource } = single(
      findResources(main, "Microsoft.Authorization/roleDefinitions"),
      "Microsoft.Authorization/roleDefinitions resource",
    );
    const permissions = resource.properties?.permissions as Record<string, unknown>[];
    expect(permissions).toHaveLength(1);
    const [permission] = permissions;
    expect([...((permission?.actions as string[]) ?? [])].sort()).toEqual([...REPLICA_ARM_ACTIONS].sort());
    expect(permission).toMatchObject({ notActions: [], dataActions: [], notDataActions: [] });
  });
});
