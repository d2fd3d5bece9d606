/**
 * Read model `concertavailability`: one row per concert (PartitionKey = concert id, RowKey `availability`), what
 * `GET /api/concerts/{id}` answers: the concert and its tickets left per tier; `version` = the version of stream
 * concert-<id>. Every event of the stream moves the version; a rejected reservation changes nothing else.
 */
import { topology } from "../config.js";
import { concertEventNames, type ConcertEventName, concertStreamId } from "../domain/concert.js";
import type { MessageData } from "../events/catalog.js";
import { tableKey } from "../services/table-keys.js";
import type { ProjectedEvent } from "./projected-event.js";
import type { StreamProjection } from "./stream-projection.js";

type Scheduled = MessageData<"ConcertScheduled">;
type Tier = keyof Scheduled["capacity"];

export interface ConcertAvailability {
  concertId: string;
  name: string;
  venue: string;
  startsAt: string;
  capacity: Scheduled["capacity"];
  prices: Scheduled["prices"];
  ticketsLeft: Record<Tier, number>;
}

export function evolveConcertAvailability(view: ConcertAvailability | undefined, event: ProjectedEvent<ConcertEventName>): ConcertAvailability {
  if (event.name === "ConcertScheduled") {
    const { concertId, name, venue, startsAt, capacity, prices } = event.data;
    return { concertId, name, venue, startsAt, capacity: { ...capacity }, prices: { ...prices }, ticketsLeft: { ...capacity } };
  }
  if (!view) throw new Error(`${event.name} ${event.id} before the concert was scheduled`);
  // The concert's own decisions guarantee a purchase reserves at most once and releases only what it holds.
  switch (event.name) {
    case "TicketsReserved":
      return withLeft(view, event.data.tier, -event.data.quantity);
    case "TicketsReleased":
      return withLeft(view, event.data.tier, event.data.quantity);
    case "ReservationRejected":
      return view;
  }
}

function withLeft(view: ConcertAvailability, tier: Tier, change: number): ConcertAvailability {
  return { ...view, ticketsLeft: { ...view.ticketsLeft, [tier]: view.ticketsLeft[tier] + change } };
}

export const concertAvailabilityProjection: StreamProjection<ConcertAvailability, ConcertEventName> = {
  name: "concert-availability",
  table: topology.tables.concertAvailability,
  streamPrefix: "concert-",
  streamIdOf: (event) => concertStreamId(event.data.concertId),
  eventNames: concertEventNames,
  rowOf: (event) => ({ partitionKey: tableKey(event.data.concertId), rowKey: "availability" }),
  evolve: evolveConcertAvailability,
};
