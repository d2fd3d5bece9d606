/** How stream `fan-<fanId>` is loaded: the fans service's command handler writes it, its API reads it. */
import type { StreamDefinition } from "../eventstore/stream-repository.js";
import { evolveFan, type Fan, fanEventNames, type FanEventName } from "./fan.js";

export const fanStream: StreamDefinition<Fan, FanEventName> = {
  prefix: "fan-",
  eventNames: fanEventNames,
  snapshotSchemaVersion: 1,
  initial: () => undefined,
  evolve: evolveFan,
};
