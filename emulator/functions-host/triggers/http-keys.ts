/**
 * Function keys for `authLevel`, read from app settings named as the Functions host names its secrets in
 * Kubernetes deployments (`func kubernetes deploy`):
 *   host.master                  the master key: every function, including admin level
 *   host.function.<keyName>      host keys: every function-level function
 *   functions.<fn>.<keyName>     keys of one function
 *   host.systemKey.<extension>   extension keys, e.g. host.systemKey.eventgrid_extension for the webhook
 * A request presents a key in the `x-functions-key` header or the `code` query parameter. With no key configured a
 * function- or admin-level function refuses every request, as in Azure, where a key always exists.
 */
import type { IncomingMessage } from "node:http";

export type AuthLevel = "anonymous" | "function" | "admin";

export class FunctionKeys {
  // The settings that can hold keys, read once: the environment has hundreds of entries and requests are many.
  private readonly candidates: [string, string][];
  private readonly cache = new Map<string, string[]>();

  constructor(env: Record<string, string>) {
    this.candidates = Object.entries(env)
      .filter(([k, v]) => /^(host|functions)\./i.test(k) && v !== "")
      .map(([k, v]) => [k.toLowerCase(), v]);
  }

  private keys(prefix: string): string[] {
    const p = prefix.toLowerCase();
    let found = this.cache.get(p);
    if (!found) {
      found = this.candidates.filter(([k]) => k.startsWith(p)).map(([, v]) => v);
      this.cache.set(p, found);
    }
    return found;
  }

  private master(): string[] {
    return this.candidates.filter(([k]) => k === "host.master").map(([, v]) => v);
  }

  hasMasterKey(): boolean {
    return this.master().length > 0;
  }

  /** True when `presented` is the master key (which also runs disabled functions, as in Azure). */
  isMaster(presented: string | undefined): boolean {
    return presented !== undefined && this.master().includes(presented);
  }

  /** True when `presented` opens a function of this auth level. */
  allows(level: AuthLevel, functionName: string, presented: string | undefined): boolean {
    if (level === "anonymous") return true;
    if (!presented) return false;
    const valid = level === "admin" ? this.master() : [...this.master(), ...this.keys("host.function."), ...this.keys(`functions.${functionName}.`)];
    return valid.includes(presented);
  }

  /** True when some key opens a function of this auth level (without one, every request is refused). */
  hasKeyFor(level: AuthLevel, functionName: string): boolean {
    if (level === "anonymous") return true;
    if (this.master().length > 0) return true;
    return level === "function" && this.keys("host.function.").length + this.keys(`functions.${functionName}.`).length > 0;
  }

  /** System keys guard extension webhooks only when configured (`func start` needs none). */
  allowsSystem(extension: string, presented: string | undefined): boolean {
    const valid = this.keys(`host.systemKey.${extension}`);
    if (valid.length === 0) return true;
    return presented !== undefined && (valid.includes(presented) || this.master().includes(presented));
  }
}

export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers["x-functions-key"];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader ?? url.searchParams.get("code") ?? undefined;
}
