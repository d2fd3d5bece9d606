/**
 * ATOM XML as the Service Bus administration API speaks it: parsing request entries, and writing entries, feeds and
 * `<Error>` bodies in the shapes the SDK's parser expects (notes section 13.3).
 */
import { createRequire } from "node:module";
import type * as FastXmlParser from "fast-xml-parser";
import { AdminError } from "./admin-error.js";

export const ATOM_NS = "http://www.w3.org/2005/Atom";
export const SB_NS = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const XSD_NS = "http://www.w3.org/2001/XMLSchema";
/** The namespace of CountDetails' children; the SDK reads them through the one `xmlns:<prefix>` attribute. */
export const COUNT_NS = "http://schemas.microsoft.com/netservices/2011/06/servicebus";

/** A parsed element: child elements by local name, attributes as `@_name` (prefixes removed), text as `#text`. */
export type XmlNode = Record<string, unknown>;

/** An element's text as fast-xml-parser gives it (a plain value, or `#text` beside attributes); undefined when absent. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") {
    const t = (value as XmlNode)["#text"];
    return t === undefined ? "" : String(t);
  }
  return String(value);
}

// fast-xml-parser loads on the first administration request, not at start: the CLI's start-up is mostly module
// loading, and most runs never call the ATOM API.
interface XmlTools {
  parser: FastXmlParser.XMLParser;
  builder: FastXmlParser.XMLBuilder;
  validate: typeof FastXmlParser.XMLValidator.validate;
}
let xml: XmlTools | undefined;

function xmlTools(): XmlTools {
  if (xml) return xml;
  const { XMLBuilder, XMLParser, XMLValidator } = createRequire(import.meta.url)("fast-xml-parser") as typeof FastXmlParser;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => name === "KeyValueOfstringanyType",
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: true });
  xml = { parser, builder, validate: (...args) => XMLValidator.validate(...args) };
  return xml;
}

/**
 * The description inside a request's `<entry><content>` (e.g. QueueDescription), with its element name; 400 when
 * the body is not well-formed XML or holds none of `accepted`.
 */
export function parseEntryContent(body: string, accepted: readonly string[]): { name: string; node: XmlNode } {
  const { parser, validate } = xmlTools();
  const valid = validate(body);
  if (valid !== true) throw AdminError.badRequest(`The request body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`);
  const doc = parser.parse(body) as XmlNode;
  const entry = doc.entry as XmlNode | undefined;
  const content = entry && typeof entry === "object" ? (entry.content as XmlNode | undefined) : undefined;
  const name = content && typeof content === "object" ? accepted.find((n) => content[n] !== undefined) : undefined;
  if (!name) throw AdminError.badRequest(`The request body must be an ATOM <entry> whose <content> holds a ${accepted.join(" or ")}.`);
  const node = content![name];
  return { name, node: typeof node === "object" && node !== null ? (node as XmlNode) : {} };
}

export function toXml(doc: object): string {
  return `<?xml version="1.0" encoding="utf-8"?>${xmlTools().builder.build(doc)}`;
}

export interface EntryInput {
  /** The entity URL (scheme, host, path, api-version): the SDK takes the entity's name from its path. */
  id: string;
  title: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** The description element's name and its children, in Azure's order. */
  contentName: string;
  content: XmlNode;
}

export function entryNode(input: EntryInput, withNamespace = true): XmlNode {
  const node: XmlNode = {};
  if (withNamespace) node["@_xmlns"] = ATOM_NS;
  node.id = input.id;
  node.title = { "@_type": "text", "#text": input.title };
  if (input.createdAt) node.published = input.createdAt.toISOString();
  node.updated = (input.updatedAt ?? new Date()).toISOString();
  node.link = { "@_rel": "self", "@_href": input.id };
  node.content = { "@_type": "application/xml", [input.contentName]: { "@_xmlns": SB_NS, "@_xmlns:i": XSI_NS, ...input.content } };
  return node;
}

export function entryXml(input: EntryInput): string {
  return toXml({ entry: entryNode(input) });
}

/** A feed of entries; `next` adds the `rel="next"` link the SDK pages with (it needs two links to see a list). */
export function feedXml(title: string, self: string, entries: EntryInput[], next?: string): string {
  const feed: XmlNode = { "@_xmlns": ATOM_NS, title: { "@_type": "text", "#text": title }, id: self, updated: new Date().toISOString() };
  feed.link = next ? [{ "@_rel": "self", "@_href": self }, { "@_rel": "next", "@_href": next }] : { "@_rel": "self", "@_href": self };
  if (entries.length > 0) feed.entry = entries.map((e) => entryNode(e, false));
  return toXml({ feed });
}

/** What Azure answers for a GET of an entity that does not exist: 200 with an empty feed (the SDK raises not-found). */
export function emptyFeedXml(self: string): string {
  return toXml({
    feed: {
      "@_xmlns": ATOM_NS,
      title: { "@_type": "text", "#text": "Publicly Listed Services" },
      subtitle: { "@_type": "text", "#text": "This is the list of publicly-listed services currently available." },
      id: self,
      updated: new Date().toISOString(),
      generator: "Service Bus 1.1",
    },
  });
}

export function errorXml(code: number, detail: string): string {
  return toXml({ Error: { Code: code, Detail: detail } });
}
