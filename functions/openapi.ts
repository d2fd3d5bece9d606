/**
 * GET /api/openapi.json (anonymous): the OpenAPI 3.1 document of this app's HTTP API (src/docs/openapi.ts), built
 * once per worker. Point Swagger UI, Postman or a client generator at it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { app, type HttpResponseInit } from "@azure/functions";
import { buildOpenApiDocument } from "../src/docs/openapi.js";

let document: string | undefined;

/** The app's version from its package.json (two levels up when compiled to dist/functions/, one from source). */
function appVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 3; dir = dirname(dir), i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "0.0.0";
  }
  return "0.0.0";
}

app.get("openapi", {
  route: "openapi.json",
  authLevel: "anonymous",
  handler: (): HttpResponseInit => {
    document ??= JSON.stringify(buildOpenApiDocument(appVersion()));
    return { status: 200, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300" }, body: document };
  },
});
