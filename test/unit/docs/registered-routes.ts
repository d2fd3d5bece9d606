/**
 * The HTTP routes the Functions app registers, read with the TypeScript parser from the app's entry
 * (functions/index.ts) and the local modules it imports: every `app.http(name, { methods, route })` and
 * `app.get/post/put/patch/deleteRequest(name, { route })`. A file in functions/ that the entry does not import
 * registers nothing. A route the scanner cannot read (not a string literal) is reported instead of skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export interface RegisteredRoute {
  file: string;
  name: string;
  method: string;
  /** As OpenAPI writes it: `/api/purchases/{id}` (route constraints such as `{id:guid}` removed). */
  path: string;
}

const SHORTHANDS: Record<string, string> = { get: "GET", post: "POST", put: "PUT", patch: "PATCH", deleteRequest: "DELETE" };
/** @azure/functions: an HTTP function without methods answers GET and POST. */
const DEFAULT_METHODS = ["GET", "POST"];

function stringOf(node: ts.Expression | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function property(options: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of options.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === name) return p.initializer;
  return undefined;
}

export function openApiPath(routePrefix: string, route: string): string {
  const template = route.replace(/\{([^}:?]+)(?::[^}]*)?\??\}/g, "{$1}").replace(/^\/+/, "");
  return `/${[routePrefix, template].filter(Boolean).join("/")}`;
}

/** The entry and the functions/ modules it imports (`./name.js` -> name.ts). */
function appModules(functionsDir: string, entry: string): string[] {
  const source = ts.createSourceFile(entry, readFileSync(join(functionsDir, entry), "utf8"), ts.ScriptTarget.Latest, true);
  const local = new Set(readdirSync(functionsDir));
  const imported = source.statements
    .filter(ts.isImportDeclaration)
    .map((i) => (i.moduleSpecifier as ts.StringLiteral).text)
    .filter((spec) => /^\.\/[^/]+\.js$/.test(spec))
    .map((spec) => spec.slice(2).replace(/\.js$/, ".ts"))
    .filter((file) => local.has(file));
  return [entry, ...imported];
}

export function registeredRoutes(functionsDir: string, routePrefix: string, entry = "index.ts"): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const file of appModules(functionsDir, entry)) {
    const source = ts.createSourceFile(file, readFileSync(join(functionsDir, file), "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.getText() === "app") {
        const kind = node.expression.name.text;
        if (kind === "http" || kind in SHORTHANDS) {
          const [nameArg, optionsArg] = node.arguments;
          const name = stringOf(nameArg);
          if (!name || !optionsArg || !ts.isObjectLiteralExpression(optionsArg)) throw new Error(`${file}: app.${kind}(...) at line ${lineOf(source, node)} has no literal name and options object`);
          const routeNode = property(optionsArg, "route");
          const route = routeNode === undefined ? name : stringOf(routeNode);
          if (route === undefined) throw new Error(`${file}: the route of ${name} is not a string literal`);
          let methods = kind === "http" ? DEFAULT_METHODS : [SHORTHANDS[kind]];
          const methodsNode = property(optionsArg, "methods");
          if (kind === "http" && methodsNode) {
            if (!ts.isArrayLiteralExpression(methodsNode)) throw new Error(`${file}: the methods of ${name} are not an array literal`);
            methods = methodsNode.elements.map((e) => {
              const m = stringOf(e);
              if (!m) throw new Error(`${file}: a method of ${name} is not a string literal`);
              return m.toUpperCase();
            });
          }
          for (const method of methods) routes.push({ file, name, method, path: openApiPath(routePrefix, route) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return routes;
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
}
