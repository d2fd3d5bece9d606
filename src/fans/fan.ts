/**
 * A fan, the aggregate of stream `fan-<fanId>` in the fans service: registered once, then its profile replaced
 * by each update. Registering appends two events: FanRegistered (thin: only the id, an event notification whose
 * consumers ask the fans API for anything else) and FanProfileUpdated (fat: the whole profile, the state that
 * other services copy). Every later change is one FanProfileUpdated. Each FanProfileUpdated says which version of
 * the stream it is, so a replica can ignore a late or repeated one.
 */
import { DomainError } from "../domain/errors.js";
import type { MessageData } from "../events/catalog.js";

export type FanProfile = Omit<MessageData<"RegisterFan">, "fanId">;

export interface FanState {
  fanId: string;
  profile: FanProfile;
  registeredAt: string;
  updatedAt: string;
}

/** Before FanRegistered the fan does not exist; between FanRegistered and its FanProfileUpdated it has no profile yet. */
export type Fan = FanState | { fanId: string; registeredAt: string; profile?: undefined } | undefined;

export type FanEventName = "FanRegistered" | "FanProfileUpdated";
export type FanCommandName = "RegisterFan" | "UpdateFanProfile";
export type FanEvent = { [N in FanEventName]: { name: N; data: MessageData<N> } }[FanEventName];
export type FanCommand = { [N in FanCommandName]: { name: N; data: MessageData<N> } }[FanCommandName];

export const fanEventNames: readonly FanEventName[] = ["FanRegistered", "FanProfileUpdated"];
export const fanCommandNames: readonly FanCommandName[] = ["RegisterFan", "UpdateFanProfile"];

export function fanNotFound(fanId: string): DomainError {
  return new DomainError("FanNotFound", "not-found", `Fan ${fanId} is not registered.`);
}

export function fanAlreadyRegistered(fanId: string): DomainError {
  return new DomainError("FanAlreadyRegistered", "conflict", `Fan ${fanId} is already registered with a different profile.`);
}

/** The profile fields of a command, in a fixed order and without absent optional fields (so equal profiles compare equal). */
export function profileOf(data: FanProfile): FanProfile {
  return { email: data.email, name: data.name, ...(data.phone === undefined ? {} : { phone: data.phone }), ...(data.city === undefined ? {} : { city: data.city }) };
}

export function sameProfile(a: FanProfile | undefined, b: FanProfile): boolean {
  return a !== undefined && JSON.stringify(profileOf(a)) === JSON.stringify(profileOf(b));
}

/**
 * The events `command` causes on a stream at `version`. Registering again with the same profile is a no-op (a
 * retried request); with another profile it is refused. An update that changes nothing appends nothing, so replicas
 * see no event that says nothing.
 */
export function decideFan(fan: Fan, command: FanCommand, now: Date, version: number): FanEvent[] {
  const { fanId } = command.data;
  const profile = profileOf(command.data);
  const updated = (streamVersion: number): FanEvent => ({ name: "FanProfileUpdated", data: { fanId, ...profile, streamVersion, updatedAt: now.toISOString() } });
  switch (command.name) {
    case "RegisterFan":
      if (fan) {
        if (sameProfile(fan.profile, profile)) return [];
        throw fanAlreadyRegistered(fanId);
      }
      return [{ name: "FanRegistered", data: { fanId } }, updated(version + 2)];
    case "UpdateFanProfile":
      if (!fan) throw fanNotFound(fanId);
      return sameProfile(fan.profile, profile) ? [] : [updated(version + 1)];
  }
}

export function evolveFan(fan: Fan, event: FanEvent & { message?: { time?: string } }): Fan {
  switch (event.name) {
    case "FanRegistered":
      return fan ?? { fanId: event.data.fanId, registeredAt: event.message?.time ?? new Date(0).toISOString() };
    case "FanProfileUpdated": {
      if (!fan) return fan;
      const { fanId, streamVersion: _version, updatedAt, ...profile } = event.data;
      return { fanId, registeredAt: fan.registeredAt, profile: profileOf(profile), updatedAt };
    }
  }
}
