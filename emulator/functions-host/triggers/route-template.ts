/**
 * HTTP trigger routes: ASP.NET Core route templates as the Functions host uses them (`products/{category:alpha}/{id:int?}`,
 * `files/{*path}`, `{name=world}`, complex segments such as `{file}.{ext}`), matched case-insensitively, and
 * ordered by ASP.NET's precedence (literal before parameter, constrained before plain, catch-all last).
 */

interface Parameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: ((value: string) => boolean)[];
}

export interface CompiledRoute {
  readonly template: string;
  /** Lower sorts first: more specific routes win, as in ASP.NET's RoutePrecedence. */
  readonly precedence: number[];
  match(path: string): Record<string, string> | undefined;
}

const INT32 = (v: string) => /^[-+]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31;
const NUMBER = (v: string) => v.trim() !== "" && Number.isFinite(Number(v));

function constraint(spec: string, template: string): (value: string) => boolean {
  const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  if (!m) throw new Error(`Route "${template}": the constraint "${spec}" is not valid.`);
  const name = m[1].toLowerCase();
  const args = m[2] === undefined ? [] : name === "regex" ? [m[2]] : m[2].split(",").map((a) => a.trim());
  const n = args.map(Number);
  switch (name) {
    case "int":
      return INT32;
    case "long":
      return (v) => /^[-+]?\d+$/.test(v);
    case "bool":
      return (v) => /^(true|false)$/i.test(v);
    case "guid":
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v);
    case "alpha":
      return (v) => /^[a-z]+$/i.test(v);
    case "decimal":
    case "double":
    case "float":
      return NUMBER;
    case "datetime":
      return (v) => !Number.isNaN(Date.parse(v));
    case "min":
      return (v) => /^[-+]?\d+$/.test(v) && Number(v) >= n[0];
    case "max":
      return (v) => /^[-+]?\d+$/.test(v) && Number(v) <= n[0];
    case "range":
      return (v) => /^[-+]?\d+$/.test(v) && Number(v) >= n[0] && Number(v) <= n[1];
    case "minlength":
      return (v) => v.length >= n[0];
    case "maxlength":
      return (v) => v.length <= n[0];
    case "length":
      return args.length === 1 ? (v) => v.length === n[0] : (v) => v.length >= n[0] && v.length <= n[1];
    case "regex": {
      const re = new RegExp(args[0], "i");
      return (v) => re.test(v);
    }
    case "required":
      return (v) => v !== "";
    default:
      throw new Error(`Route "${template}": the constraint "${name}" is not supported.`);
  }
}

function parseParameter(body: string, template: string): Parameter {
  // {*rest} / {**rest}, {name?}, {name=default}, {name:int:min(1)}
  let text = body;
  const catchAll = /^\*{1,2}/.test(text);
  text = text.replace(/^\*{1,2}/, "");
  const colon = text.indexOf(":");
  const head = colon >= 0 ? text.slice(0, colon) : text;
  let constraintText = colon >= 0 ? text.slice(colon + 1) : "";
  let optional = false;
  let defaultValue: string | undefined;
  let name = head;
  const eq = name.indexOf("=");
  if (eq >= 0) {
    defaultValue = name.slice(eq + 1);
    name = name.slice(0, eq);
  }
  if (name.endsWith("?")) {
    optional = true;
    name = name.slice(0, -1);
  }
  if (constraintText.endsWith("?")) {
    optional = true;
    constraintText = constraintText.slice(0, -1);
  }
  const eqc = constraintText.search(/=(?![^(]*\))/);
  if (eqc >= 0) {
    defaultValue = constraintText.slice(eqc + 1);
    constraintText = constraintText.slice(0, eqc);
  }
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`Route "${template}": "{${body}}" has no valid parameter name.`);
  // Split on ":" outside parentheses (regex constraints may contain colons).
  const specs: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of constraintText) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === ":" && depth === 0) {
      specs.push(current);
      current = "";
    } else current += ch;
  }
  if (current) specs.push(current);
  return { name, optional: optional || catchAll, catchAll, defaultValue, constraints: specs.map((s) => constraint(s, template)) };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  const segments = trimmed === "" ? [] : trimmed.split("/");
  const params: Parameter[] = [];
  const precedence: number[] = [];
  let source = "";
  segments.forEach((segment, index) => {
    const parts = segment.split(/(\{[^{}]*\})/).filter((p) => p !== "");
    const segParams = parts.filter((p) => p.startsWith("{")).map((p) => parseParameter(p.slice(1, -1), template));
    if (segParams.some((p) => p.catchAll) && index !== segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment.`);
    }
    if (parts.length === 1 && segParams.length === 1) {
      const p = segParams[0];
      params.push(p);
      precedence.push(p.catchAll ? 5 : p.constraints.length > 0 ? 3 : 4);
      const capture = p.catchAll ? "(.*)" : "([^/]+)";
      source += p.optional || p.defaultValue !== undefined ? `(?:/${capture})?` : `/${capture}`;
      return;
    }
    precedence.push(segParams.length === 0 ? 1 : 2);
    let pattern = "";
    let i = 0;
    for (const part of parts) {
      if (part.startsWith("{")) {
        params.push(segParams[i++]);
        pattern += "([^/]+?)";
      } else pattern += escape(part);
    }
    source += `/${pattern}`;
  });
  const regex = new RegExp(`^${source}/?$`, "i");

  return {
    template: trimmed,
    precedence,
    match(path) {
      const m = regex.exec(path === "/" ? "" : path);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        const raw = m[i + 1];
        if (raw === undefined || raw === "") {
          if (p.defaultValue !== undefined) values[p.name] = p.defaultValue;
          else if (!p.optional) return undefined;
          continue;
        }
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return undefined;
        }
        if (!p.constraints.every((c) => c(value))) return undefined;
        values[p.name] = value;
      }
      return values;
    },
  };
}

/** Sorts routes so that the first match is the one ASP.NET would pick. */
export function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const x = a.precedence[i] ?? 0;
    const y = b.precedence[i] ?? 0;
    if (x !== y) return x - y;
  }
  return b.precedence.length - a.precedence.length;
}
