/**
 * Typed reads of a description's child elements (400 with Azure-like text when a value is malformed or out of range)
 * and the matching writes (durations as ISO 8601, Azure's "never" as P10675199DT2H48M5.4775807S).
 */
import { formatIsoDuration, parseIsoDuration } from "../../common/duration.js";
import { type EntityStatus, MAX_TIMESPAN_MS } from "../model/entity-options.js";
import { AdminError } from "./admin-error.js";
import type { XmlNode } from "./atom-xml.js";

const MAX_TIMESPAN_TEXT = "P10675199DT2H48M5.4775807S";

/** The element's text, or undefined when absent. Empty elements read as "". */
function text(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "object" && "#text" in (value as XmlNode)) return String((value as XmlNode)["#text"]);
  if (typeof value === "object") return "";
  return String(value);
}

export class DescriptionReader {
  constructor(
    private readonly node: XmlNode,
    private readonly kind: string,
  ) {}

  string(name: string): string | undefined {
    return text(this.node, name);
  }

  boolean(name: string): boolean | undefined {
    const t = text(this.node, name);
    if (t === undefined) return undefined;
    if (/^true$/i.test(t)) return true;
    if (/^false$/i.test(t)) return false;
    throw AdminError.badRequest(`The value '${t}' of ${this.kind} property ${name} is not a boolean.`);
  }

  integer(name: string, min: number, max: number): number | undefined {
    const t = text(this.node, name);
    if (t === undefined) return undefined;
    const n = Number(t);
    if (!/^-?\d+$/.test(t.trim()) || !Number.isSafeInteger(n)) throw AdminError.badRequest(`The value '${t}' of ${this.kind} property ${name} is not an integer.`);
    if (n < min || n > max) throw AdminError.badRequest(`The value '${t}' of ${this.kind} property ${name} must be between ${min} and ${max}.`);
    return n;
  }

  /** An ISO 8601 duration in ms, clamped to Azure's maximum TimeSpan; 400 outside [minMs, maxMs]. */
  duration(name: string, minMs: number, maxMs = MAX_TIMESPAN_MS): number | undefined {
    const t = text(this.node, name);
    if (t === undefined) return undefined;
    const parsed = parseIsoDuration(t);
    if (parsed === undefined) throw AdminError.badRequest(`The value '${t}' of ${this.kind} property ${name} is not an ISO 8601 duration such as PT1M.`);
    const ms = Math.min(parsed, MAX_TIMESPAN_MS);
    if (ms < minMs) throw AdminError.badRequest(`The supplied ${name} '${t}' of the ${this.kind} is below the allowed minimum of '${formatDuration(minMs)}'.`);
    if (ms > maxMs) throw AdminError.badRequest(`The supplied ${name} '${t}' of the ${this.kind} exceeds the allowed maximum of '${formatDuration(maxMs)}'.`);
    return ms;
  }

  status(name = "Status"): EntityStatus | undefined {
    const t = text(this.node, name);
    if (t === undefined) return undefined;
    const known: EntityStatus[] = ["Active", "Disabled", "SendDisabled", "ReceiveDisabled"];
    const match = known.find((s) => s.toLowerCase() === t.toLowerCase());
    if (!match) throw AdminError.badRequest(`The value '${t}' of ${this.kind} property ${name} is not one of ${known.join(", ")}.`);
    return match;
  }

  /** ForwardTo values arrive as absolute `sb://host/name` URLs (the SDK rewrites relative names); the name is the path. */
  forwardTarget(name: string): string | undefined {
    const t = text(this.node, name);
    if (t === undefined || t === "") return undefined;
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/(.*)$/i.exec(t);
    return (m ? m[1] : t).replace(/^\/+|\/+$/g, "") || undefined;
  }
}

export function formatDuration(ms: number): string {
  return ms >= MAX_TIMESPAN_MS ? MAX_TIMESPAN_TEXT : formatIsoDuration(ms);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

export interface MessageCountsXml {
  active: number;
  deadLetter: number;
  scheduled: number;
  transfer: number;
  transferDeadLetter: number;
}

/** CountDetails with exactly one `xmlns:<prefix>` attribute, as the SDK's getXMLNSPrefix requires. */
export function countDetails(counts: MessageCountsXml): XmlNode {
  return {
    "@_xmlns:d2p1": "http://schemas.microsoft.com/netservices/2011/06/servicebus",
    "d2p1:ActiveMessageCount": counts.active,
    "d2p1:DeadLetterMessageCount": counts.deadLetter,
    "d2p1:ScheduledMessageCount": counts.scheduled,
    "d2p1:TransferMessageCount": counts.transfer,
    "d2p1:TransferDeadLetterMessageCount": counts.transferDeadLetter,
  };
}
