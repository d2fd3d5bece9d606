/**
 * What the HTTP endpoints need, as ports: the event store to read streams from (the synchronous checks of the
 * commands), the query bus the GET endpoints answer from (read models), and the command bus to send commands on
 * (the `commands` topic). A request writes nothing itself: it sends one command or fails, so a failed request
 * leaves nothing half-written.
 */
import type { TicketsSpokenFor } from "../commands/tickets-spoken-for.js";
import type { EventStore, OutboxMessage } from "../eventstore/event-store.js";
import type { FanReplicaReader } from "../fans/replica/fan-replica.js";
import type { ReadModelQueryBus } from "../queries/read-model-queries.js";

export interface CommandSender {
  /** Sends every message or throws. */
  send(messages: readonly OutboxMessage[]): Promise<void>;
}

export interface ApiDeps {
  store: EventStore;
  commands: CommandSender;
  /** The ticketing side's replica of the fans' profiles: a purchase by `fanId` takes the fan's details from it. */
  fanReplica?: FanReplicaReader;
  /** The query side: the GET endpoints answer from the read models through it (src/http/read-endpoints.ts). */
  queries?: ReadModelQueryBus;
  now?: () => Date;
  /** Tickets that purchases accepted here ask for and the concert has not answered: off sale at the POST. */
  spokenFor?: TicketsSpokenFor;
}

/** The parts of an HTTP request the endpoints read (the Functions HttpRequest has them all). */
export interface ApiRequest {
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly params: Record<string, string | undefined>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Request bodies are a few hundred bytes; a body over this is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;
