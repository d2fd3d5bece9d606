/**
 * An in-memory message view for filter tests: system properties by canonical name, user properties by exact name
 * (names differing in case are distinct keys, as they are in AMQP application-properties).
 */
import type { ActionTarget } from "../../../emulator/servicebus/filters/index.js";

export class TestMessage implements ActionTarget {
  readonly systemProps: Map<string, unknown>;
  readonly userProps: Map<string, unknown>;
  systemReads: string[] = [];

  constructor(user: Record<string, unknown> = {}, system: Record<string, unknown> = {}) {
    this.userProps = new Map(Object.entries(user));
    this.systemProps = new Map(Object.entries(system));
  }

  system(name: string): unknown {
    this.systemReads.push(name);
    return this.systemProps.get(name);
  }
  user(name: string): unknown {
    return this.userProps.get(name);
  }
  userPropertyNames(): Iterable<string> {
    return this.userProps.keys();
  }
  setSystem(name: string, value: unknown): void {
    if (value === undefined) this.systemProps.delete(name);
    else this.systemProps.set(name, value);
  }
  setUser(name: string, value: unknown): void {
    this.userProps.set(name, value);
  }
  removeUser(name: string): void {
    this.userProps.delete(name);
  }
}
