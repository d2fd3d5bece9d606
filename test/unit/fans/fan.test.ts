import { describe, expect, it } from "vitest";
import { isDomainError } from "../../../src/domain/errors.js";
import { decideFan, evolveFan, type Fan, type FanEvent } from "../../../src/fans/fan.js";

const now = new Date("2026-05-01T10:00:00.000Z");
const ada = { fanId: "ada", email: "ada@example.com", name: "Ada", city: "Lisbon" };

function fold(events: FanEvent[], from: Fan = undefined): Fan {
  return events.reduce<Fan>((fan, e) => evolveFan(fan, { ...e, message: { time: now.toISOString() } }), from);
}

describe("a fan (stream fan-<id>)", () => {
  it("registers with a thin FanRegistered and a fat FanProfileUpdated that names its stream version", () => {
    const events = decideFan(undefined, { name: "RegisterFan", data: ada }, now, 0);
    expect(events).toEqual([
      { name: "FanRegistered", data: { fanId: "ada" } },
      { name: "FanProfileUpdated", data: { fanId: "ada", email: "ada@example.com", name: "Ada", city: "Lisbon", streamVersion: 2, updatedAt: now.toISOString() } },
    ]);
    expect(fold(events)).toEqual({ fanId: "ada", registeredAt: now.toISOString(), updatedAt: now.toISOString(), profile: { email: "ada@example.com", name: "Ada", city: "Lisbon" } });
  });

  it("takes a repeated registration with the same profile as done, and refuses another profile under the same id", () => {
    const fan = fold(decideFan(undefined, { name: "RegisterFan", data: ada }, now, 0));
    expect(decideFan(fan, { name: "RegisterFan", data: { ...ada } }, now, 2)).toEqual([]);
    let refusal: unknown;
    try {
      decideFan(fan, { name: "RegisterFan", data: { ...ada, name: "Other" } }, now, 2);
    } catch (err) {
      refusal = err;
    }
    expect(isDomainError(refusal) && [refusal.code, refusal.kind]).toEqual(["FanAlreadyRegistered", "conflict"]);
  });

  it("replaces the whole profile on update (a field left out goes), at the next stream version; an update that changes nothing appends nothing", () => {
    const fan = fold(decideFan(undefined, { name: "RegisterFan", data: ada }, now, 0));
    const later = new Date("2026-05-02T10:00:00.000Z");
    const events = decideFan(fan, { name: "UpdateFanProfile", data: { fanId: "ada", email: "ada@new.example.com", name: "Ada L." } }, later, 2);
    expect(events).toEqual([{ name: "FanProfileUpdated", data: { fanId: "ada", email: "ada@new.example.com", name: "Ada L.", streamVersion: 3, updatedAt: later.toISOString() } }]);
    const updated = fold(events, fan);
    expect(updated?.profile).toEqual({ email: "ada@new.example.com", name: "Ada L." });
    expect(updated?.registeredAt).toBe(now.toISOString());
    expect(decideFan(updated, { name: "UpdateFanProfile", data: { fanId: "ada", name: "Ada L.", email: "ada@new.example.com" } }, later, 3)).toEqual([]);
  });

  it("refuses to update a fan that is not registered", () => {
    expect(() => decideFan(undefined, { name: "UpdateFanProfile", data: ada }, now, 0)).toThrow(/Fan ada is not registered/);
  });
});
