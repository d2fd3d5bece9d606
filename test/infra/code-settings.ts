/**
 * What the code needs from its environment, derived from the code itself (not a copy of today's list): the
 * connections (src/config.ts settingNames, and every `connection: "..."` of a trigger or binding), the plain
 * settings with their defaults (src/config.ts plainSettings), and every other setting read by name
 * (process.env.X, env.X, env["X"]) in src/ and functions/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { plainSettings, settingNames } from "../../src/config.js";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export type ConnectionKind = keyof typeof settingNames;

/** Settings Azure's platform sets on every app: the code may read them, infra must not. */
export const platformSettings = new Set(["WEBSITE_HOSTNAME", "WEBSITE_SITE_NAME", "WEBSITE_INSTANCE_ID", "WEBSITE_RESOURCE_GROUP", "WEBSITE_OWNER_NAME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "NODE_ENV"]);

/** The identity-based settings of each kind of connection, as src/config.ts and the Functions extensions read them. */
export const identitySettingsOf: Record<ConnectionKind, (name: string) => string[]> = {
  serviceBus: (name) => [`${name}__fullyQualifiedNamespace`, `${name}__credential`, `${name}__clientId`],
  eventHubs: (name) => [`${name}__fullyQualifiedNamespace`, `${name}__credential`, `${name}__clientId`],
  eventGrid: (name) => [`${name}__topicEndpointUri`, `${name}__credential`, `${name}__clientId`],
  storage: (name) => [`${name}__tableServiceUri`, `${name}__credential`, `${name}__clientId`],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

export interface Found {
  name: string;
  where: string;
}

function scan(patterns: RegExp[]): Found[] {
  const found: Found[] = [];
  for (const file of ["src", "functions"].flatMap((dir) => sourceFiles(join(repoRoot, dir)))) {
    const text = readFileSync(file, "utf8");
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const name = match[1];
        if (!name) continue;
        const line = text.slice(0, match.index).split("\n").length;
        found.push({ name, where: `${relative(repoRoot, file)}:${line}` });
      }
    }
  }
  return found;
}

/** Connection names given to triggers and bindings: `connection: "X"` or `const connection = "X"`. */
export function triggerConnections(): Found[] {
  return scan([/\bconnection\s*[:=]\s*["'`]([A-Za-z_][\w:]*)["'`]/g]);
}

/** Settings read by a literal name, and `%Name%` app-setting references in trigger and binding options. */
export function settingsReadByName(): Found[] {
  return scan([
    /\bprocess\.env\.([A-Za-z_]\w*)/g,
    /\bprocess\.env\[\s*["'`]([^"'`$]+)["'`]\s*\]/g,
    /\benv\??\.([A-Z]\w*)/g,
    /\benv\[\s*["'`]([^"'`$]+)["'`]\s*\]/g,
    /["'`]%([A-Za-z_][\w:]*)%["'`]/g,
  ]);
}

export const connectionSettings = Object.entries(settingNames) as [ConnectionKind, string][];

export const plainSettingList = Object.values(plainSettings).map((s) => ({ name: s.name, default: s.default }));
