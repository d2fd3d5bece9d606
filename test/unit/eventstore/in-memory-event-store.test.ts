import { InMemoryEventStore } from "../../../src/eventstore/in-memory-event-store.js";
import { eventStoreContract } from "./event-store-contract.js";

let offset = 0;
eventStoreContract("InMemoryEventStore", () => {
  offset = 0;
  return { store: new InMemoryEventStore(() => new Date(Date.now() + offset)), advance: (ms) => (offset += ms) };
});
