/**
 * A registered fan's details for a purchase, from the ticketing side's replica (never from the fans API): a
 * purchase by `fanId` works while the fans service is down. The replica follows the fans service's events, so a
 * fan registered a moment ago may not be known yet (404; retrying shortly succeeds).
 */
import { DomainError } from "../../domain/errors.js";
import type { Fan } from "../../domain/purchase.js";
import { calling } from "../../http/error-responses.js";
import type { FanReplicaReader } from "./fan-replica.js";

export function unknownFan(fanId: string): DomainError {
  return new DomainError("FanNotFound", "not-found", `Fan ${fanId} is not registered (a fan registered a moment ago may take a moment to be known here; retry shortly).`);
}

export async function registeredFan(replica: FanReplicaReader | undefined, fanId: string): Promise<Fan> {
  if (!replica) throw new Error("This app has no fan replica: purchases by fanId are not available.");
  const fan = await calling("The fan replica", () => replica.get(fanId));
  if (!fan) throw unknownFan(fanId);
  return { id: fan.fanId, email: fan.email, name: fan.name };
}
