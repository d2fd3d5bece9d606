/**
 * Bicep files read with the tree-sitter grammar for Bicep (the wasm that the tree-sitter-bicep npm package ships,
 * run by web-tree-sitter): syntax errors, and the few facts the wiring tests need (variables, resources, function
 * calls) taken from the syntax tree rather than from regular expressions over the text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Language, Parser, type Node } from "web-tree-sitter";

const require = createRequire(import.meta.url);
let parser: Promise<Parser> | undefined;

/** One parser for the test file; the grammar is tree-sitter-bicep's own wasm build. */
export function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-bicep/tree-sitter-bicep.wasm"));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

export interface SyntaxProblem {
  kind: "ERROR" | "MISSING";
  line: number;
  column: number;
  text: string;
}

/** Every ERROR and MISSING node, with its 1-based position. */
export function syntaxProblems(root: Node): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      problems.push({ kind: node.isMissing ? "MISSING" : "ERROR", line: node.startPosition.row + 1, column: node.startPosition.column + 1, text: node.isMissing ? node.type : node.text.slice(0, 80) });
    }
    if (node.hasError || node.isMissing) for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return problems;
}

export async function parseBicep(source: string): Promise<Node> {
  const tree = (await bicepParser()).parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree.rootNode;
}

/** Every .bicep file under a folder, recursively, as paths relative to it. */
export function bicepFiles(folder: string, prefix = ""): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return bicepFiles(folder, path);
      return entry.name.endsWith(".bicep") ? [path] : [];
    })
    .sort();
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

export function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

/** The text of a string literal without quotes (only plain strings: no interpolation). */
export function stringValue(node: Node): string | undefined {
  if (node.type !== "string") return undefined;
  if (node.namedChildren.some((c) => c?.type === "interpolation")) return undefined;
  return node.text.replace(/^'|'$/g, "");
}

/** `var <name> = <value>` at the top of a file. */
export function variableValue(root: Node, name: string): Node | undefined {
  for (const declaration of descendants(root, "variable_declaration")) {
    const [identifier, value] = declaration.namedChildren.filter((c): c is Node => c !== null && c.type !== "decorators");
    if (identifier?.text === name) return value ?? undefined;
  }
  return undefined;
}

/** The keys of an object literal (identifiers or plain strings), in order. */
export function objectKeys(object: Node): string[] {
  return object.namedChildren
    .filter((c): c is Node => c?.type === "object_property")
    .map((property) => {
      const key = property.namedChildren[0];
      return key ? (stringValue(key) ?? key.text) : "";
    });
}

/** An object literal's property value by key. */
export function objectProperty(object: Node, key: string): Node | undefined {
  for (const property of object.namedChildren) {
    if (property?.type !== "object_property") continue;
    const [k, value] = property.namedChildren;
    if (k && (stringValue(k) ?? k.text) === key && value) return value;
  }
  return undefined;
}

export interface CallSite {
  name: string;
  args: Node[];
  node: Node;
}

/** Calls of a function by name (loadJsonContent, listKeys, ...), wherever they are. */
export function calls(root: Node, name?: string): CallSite[] {
  return descendants(root, "call_expression").flatMap((call) => {
    const fn = call.childForFieldName("function") ?? call.namedChildren[0];
    const fnName = fn?.text.split(".").at(-1) ?? "";
    if (name && fnName.toLowerCase() !== name.toLowerCase()) return [];
    const args = (call.namedChildren.find((c) => c?.type === "arguments")?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== "comment");
    return [{ name: fnName, args, node: call }];
  });
}

export interface ResourceDeclaration {
  symbol: string;
  type: string;
  existing: boolean;
  body: Node;
}

/** `resource <symbol> '<type>@<version>' [existing] = ...` declarations. */
export function resources(root: Node): ResourceDeclaration[] {
  return descendants(root, "resource_declaration").map((declaration) => {
    const named = declaration.namedChildren.filter((c): c is Node => c !== null && c.type !== "decorators");
    const symbol = named[0]?.text ?? "";
    const typeString = named.find((c) => c.type === "string");
    const type = (typeString && stringValue(typeString)) ?? "";
    return { symbol, type: type.split("@")[0] ?? "", existing: / existing\s*=/.test(declaration.text.split("\n")[0] ?? ""), body: declaration };
  });
}

/** `module <symbol> '<path>' = ...` declarations with their path. */
export function modules(root: Node): { symbol: string; path: string; body: Node }[] {
  return descendants(root, "module_declaration").map((declaration) => {
    const named = declaration.namedChildren.filter((c): c is Node => c !== null && c.type !== "decorators");
    const pathNode = named.find((c) => c.type === "string");
    return { symbol: named[0]?.text ?? "", path: (pathNode && stringValue(pathNode)) ?? "", body: declaration };
  });
}
