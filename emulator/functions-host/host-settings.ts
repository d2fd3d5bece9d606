/**
 * The app's configuration as the Functions host and Core Tools read it: `host.json` (version 2.0, extensions) and
 * `local.settings.json` (`Values` become the worker's environment; variables already set in the environment win,
 * as with `func start`; `Host.LocalHttpPort` picks the port).
 */
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError, loadConfigFile } from "../common/config-file.js";

const hostJsonSchema = z.looseObject({
  version: z.literal("2.0", { error: 'host.json needs "version": "2.0" (the Functions v4 host reads no other)' }),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      serviceBus: z.looseObject({}).optional(),
      kafka: z.looseObject({}).optional(),
    })
    .optional(),
});
export type HostJson = z.output<typeof hostJsonSchema>;

const settingValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const localSettingsSchema = z.looseObject({
  IsEncrypted: z.literal(false, { error: "encrypted local settings are not supported; set IsEncrypted to false" }).optional(),
  Values: z.record(z.string(), settingValue).optional(),
  Host: z.looseObject({ LocalHttpPort: z.number().int().min(0).max(65535).optional() }).optional(),
});

export interface HostSettings {
  hostJson: HostJson;
  /** `local.settings.json` Values as written. */
  values: Record<string, string>;
  /** The environment the app sees: Values, then the process environment, then explicit overrides. */
  env: Record<string, string>;
  /** `Host.LocalHttpPort` when set. */
  localHttpPort?: number;
  /** `extensions.http.routePrefix`, "api" by default; "" means routes sit at the root. */
  routePrefix: string;
}

export interface LoadSettingsOptions {
  /** Variables that override both local settings and the process environment (tests). */
  env?: Record<string, string>;
  /** Copy `local.settings.example.json` to `local.settings.json` when the latter is missing (first start). */
  createLocalSettings?: boolean;
}

export function loadHostSettings(appDir: string, options: LoadSettingsOptions = {}): HostSettings {
  const hostJsonFile = path.join(appDir, "host.json");
  if (!existsSync(hostJsonFile)) throw new ConfigError(hostJsonFile, [{ path: "", message: "the app folder has no host.json" }]);
  const hostJson = loadConfigFile(hostJsonSchema, hostJsonFile);

  const localFile = path.join(appDir, "local.settings.json");
  const exampleFile = path.join(appDir, "local.settings.example.json");
  if (!existsSync(localFile) && options.createLocalSettings && existsSync(exampleFile)) copyFileSync(exampleFile, localFile);
  const local = existsSync(localFile) ? loadConfigFile(localSettingsSchema, localFile) : {};
  const values = local.Values ?? {};

  const env: Record<string, string> = { ...values };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, options.env ?? {});
  env.FUNCTIONS_WORKER_RUNTIME ??= "node";

  return {
    hostJson,
    values,
    env,
    localHttpPort: local.Host?.LocalHttpPort,
    routePrefix: (hostJson.extensions?.http?.routePrefix ?? "api").replace(/^\/+|\/+$/g, ""),
  };
}

/** Resolves `%Name%` references in a binding option against app settings, as the host's name resolver does. */
export function resolveSettingReferences(value: string, env: Record<string, string>, where: string): string {
  return value.replace(/%([^%]+)%/g, (_all, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new Error(`${where}: the app setting "${name}" is not set (referenced as %${name}%).`);
    return resolved;
  });
}
