/**
 * The ticketing side's consumer of FanProfileUpdated, on the `fan-replica` subscription of the `events` topic: the
 * event carries the whole profile, so handling it is copying it (when newer) into the replica. No call to the fans
 * service. A body that is not a FanProfileUpdated throws InvalidMessageError (retried, then dead-lettered).
 */
import { readMessage } from "../../events/catalog.js";
import type { ReplicaUpdate, TableFanReplica } from "./fan-replica.js";

export const fanReplicaConsumerName = "fan-replica";

export async function handleFanProfileUpdated(body: unknown, replica: Pick<TableFanReplica, "apply">): Promise<ReplicaUpdate & { fanId: string; eventId: string; correlationId: string }> {
  const { message } = readMessage(body, ["FanProfileUpdated"]);
  const update = await replica.apply(message);
  return { ...update, fanId: message.data.fanId, eventId: message.id, correlationId: message.correlationid };
}
