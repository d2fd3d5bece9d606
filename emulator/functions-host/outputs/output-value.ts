/** Turns an output binding's RpcTypedData (what the library's getResponse produced) back into values to send. */
import type { RpcTypedData } from "../rpc-types.js";

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The items an output binding received: an array set with extraOutputs.set(out, [...]) becomes several items. */
export function outputItems(data: RpcTypedData | null | undefined): unknown[] {
  if (!data) return [];
  let value: unknown;
  if (typeof data.json === "string") value = JSON.parse(data.json);
  else if (typeof data.string === "string") value = data.string;
  else if (data.bytes) value = Buffer.from(data.bytes);
  else if (data.collectionString?.string) value = data.collectionString.string;
  else if (data.collectionBytes?.bytes) value = data.collectionBytes.bytes.map((b) => Buffer.from(b));
  else if (data.collectionDouble?.double) value = data.collectionDouble.double;
  else if (data.collectionSint64?.sint64) value = data.collectionSint64.sint64;
  else if (typeof data.int === "number") value = data.int;
  else if (typeof data.double === "number") value = data.double;
  else return [];
  return Array.isArray(value) ? value : [value];
}

export { tryParse };
