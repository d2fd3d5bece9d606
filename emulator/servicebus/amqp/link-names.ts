/**
 * Links named per direction. AMQP 1.0 (2.6.1) identifies a link by its name *and* its direction, so a client may
 * attach a sender and a receiver with one name: Apache Qpid Proton does exactly that by default, naming every link
 * "<container id>-<address>". rhea keys a session's links by name alone, takes the second attach for a repeat of the
 * first, and throws "Attach already received", which closes the client's whole connection. This keys rhea's session
 * table by direction and name instead; links are otherwise untouched (frames find them by handle).
 */
import { createRequire } from "node:module";

// rhea ships no types for its internals; this is the same module instance the `rhea` package itself uses.
const Session = createRequire(import.meta.url)("rhea/lib/session.js");

const patched = Symbol.for("fest-emulator.link-names-per-direction");

/** The table key: "S:" for the links this side sends on, "R:" for those it receives on. */
function keyOf(name: string, weSend: boolean): string {
  return `${weSend ? "S" : "R"}:${name}`;
}

/** Installs the per-direction link table on rhea's Session (idempotent; it applies to every rhea session). */
export function nameLinksPerDirection(): void {
  const proto = Session.prototype;
  if (proto[patched]) return;
  proto[patched] = true;

  proto.create_link = function (this: any, name: string, constructor: any, opts: unknown) {
    let handle = 0;
    while (this.local.handles[handle]) handle++;
    const link = new constructor(this, name, handle, opts);
    this.links[keyOf(name, link.is_sender())] = link;
    this.local.handles[handle] = link;
    return link;
  };

  proto.on_attach = function (this: any, frame: any) {
    const name = frame.performative.name;
    // role true: the peer is the receiver, so this side sends.
    const weSend = frame.performative.role === true;
    const link = this.links[keyOf(name, weSend)] ?? (weSend ? this.create_sender(name) : this.create_receiver(name));
    this.remote.handles[frame.performative.handle] = link;
    link.on_attach(frame);
    link.remote.attach = frame.performative;
  };

  proto.remove_link = function (this: any, link: any) {
    delete this.remote.handles[link.remote.handle];
    delete this.local.handles[link.local.handle];
    delete this.links[keyOf(link.name, link.is_sender())];
  };
}
