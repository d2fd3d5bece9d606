/**
 * The README's first example of the emulator on its own ("The emulator on its own"), run as a user runs it: a script
 * with the connection string the emulator printed in SERVICEBUS_CONNECTION_STRING, against the default topology.
 * The lines between the readme markers are the README's block (test/unit/docs/readme-snippets.test.ts keeps them
 * equal); test/emulator/package/packed-emulator.test.ts runs this file against the installed package's bin.
 */
// readme:start standalone-queue
import { ServiceBusClient } from "@azure/service-bus";

const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING!);
await client.createSender("queue.1").sendMessages({ body: { hello: "world" } });
const receiver = client.createReceiver("queue.1");
const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
console.log(message.body); // { hello: 'world' }
await receiver.completeMessage(message);
await client.close();
// readme:end standalone-queue
