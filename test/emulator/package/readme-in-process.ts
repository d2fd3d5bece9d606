/**
 * The README's example of starting the installed emulator package in-process from another project's tests. The
 * lines between the readme markers are the README's block (test/unit/docs/readme-snippets.test.ts keeps them
 * equal); test/emulator/package/packed-emulator.test.ts copies this file into a fresh project that installed the
 * packed emulator and runs it there, so `@music-fest/emulator` is the published package, not these sources.
 */
// readme:start in-process
import { ServiceBusClient } from "@azure/service-bus";
import { startEmulator } from "@music-fest/emulator";

// Free ports, the default sample topology (queue.1, topic.1 with subscription.1 to .4); close it afterwards.
const emulator = await startEmulator({ servicebusPort: 0, httpPort: 0, kafkaPort: 0 });
const client = new ServiceBusClient(emulator.serviceBus.connectionString);
// subscription.2's rule takes messages whose application property prop1 is "value1".
await client.createSender("topic.1").sendMessages({ body: "hi", applicationProperties: { prop1: "value1" } });
const receiver = client.createReceiver("topic.1", "subscription.2");
const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
console.log(message.body); // hi
emulator.clock.advance(60_000); // timers (locks, TTL, scheduled messages) move on without sleeping
await client.close();
await emulator.close();
// readme:end in-process
