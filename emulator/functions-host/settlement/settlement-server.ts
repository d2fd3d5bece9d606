/**
 * The host's gRPC Settlement service, on 127.0.0.1 and a free port that the worker learns from its command line
 * (`--host`, `--port`, `--functions-grpc-max-message-length`), as Azure's host starts the Node.js worker with the
 * address of its own gRPC server. Each call finds the message (by lock token) or session (by id) that the trigger
 * holds for a running invocation, and settles it with the trigger's receiver, which holds the lock.
 */
import type { ServiceBusReceivedMessage, ServiceBusReceiver } from "@azure/service-bus";
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import rhea from "rhea";
import type { Logger } from "../../common/logger.js";
import type { HeldMessages } from "./held-messages.js";
import {
  type DeadletterRequest,
  type LockTokenRequest,
  type SessionRequest,
  settlementPackage,
} from "./settlement-contract.js";
import { SettlementError, settlementErrors } from "./settlement-error.js";

/** The message size the host allows on the channel, passed to the worker as Azure's host does (int32 max). */
export const GRPC_MAX_MESSAGE_LENGTH = 2147483647;

type Properties = Record<string, number | boolean | string | Date | null>;
interface AmqpTypes {
  Reader: new (b: Buffer) => { read(): unknown };
  unwrap(t: unknown): unknown;
}
const amqpTypes = (rhea as unknown as { types: AmqpTypes }).types;

/** An AMQP map of application properties, as the worker extension encodes propertiesToModify; empty = none. */
export function decodeProperties(bytes: Buffer | undefined): Properties | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  let map: unknown;
  try {
    map = amqpTypes.unwrap(new amqpTypes.Reader(Buffer.from(bytes)).read());
  } catch (err) {
    throw settlementErrors.badProperties((err as Error).message);
  }
  const isMap = typeof map === "object" && map !== null && !Array.isArray(map) && !Buffer.isBuffer(map);
  if (!isMap) throw settlementErrors.badProperties("not a map");
  return map as Properties;
}

/** The reason and description go to Service Bus only when the app gave them (a StringValue wrapper each). */
type DeadLetterOptions = { deadLetterReason: string; deadLetterErrorDescription: string } & Properties;

function deadLetterOptions(r: DeadletterRequest): DeadLetterOptions {
  const options: Properties = { ...decodeProperties(r.propertiesToModify) };
  if (r.deadletterReason) options.deadLetterReason = r.deadletterReason.value;
  if (r.deadletterErrorDescription) options.deadLetterErrorDescription = r.deadletterErrorDescription.value;
  // The SDK's type asks for both; it sends only the ones present.
  return options as DeadLetterOptions;
}

type Handler<Req, Res> = (request: Req) => Promise<Res>;

export class SettlementServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(held: HeldMessages, logger: Logger): Promise<SettlementServer> {
    const server = new Server({ "grpc.max_receive_message_length": GRPC_MAX_MESSAGE_LENGTH });
    const proto = loadPackageDefinition(settlementPackage()) as unknown as { Settlement: { service: never } };

    type Settle = (receiver: ServiceBusReceiver, m: ServiceBusReceivedMessage) => Promise<void>;
    const settled = (lockToken: string, act: Settle) => async () => {
      const entry = held.message(lockToken);
      if (!entry) throw settlementErrors.lockTokenNotFound(lockToken);
      try {
        await act(entry.receiver, entry.message);
      } catch (err) {
        throw err instanceof SettlementError ? err : settlementErrors.serviceBusFailed(err);
      }
      entry.settled = true;
      return {};
    };
    const session = (sessionId: string) => {
      const entry = held.session(sessionId);
      if (!entry) throw settlementErrors.sessionNotFound(sessionId);
      return entry;
    };
    const serviceBus = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        throw err instanceof SettlementError ? err : settlementErrors.serviceBusFailed(err);
      }
    };

    const handlers: Record<string, Handler<never, object>> = {
      Complete: (r: LockTokenRequest) => settled(r.locktoken, (rc, m) => rc.completeMessage(m))(),
      Abandon: (r: LockTokenRequest) =>
        settled(r.locktoken, (rc, m) => rc.abandonMessage(m, decodeProperties(r.propertiesToModify)))(),
      Defer: (r: LockTokenRequest) =>
        settled(r.locktoken, (rc, m) => rc.deferMessage(m, decodeProperties(r.propertiesToModify)))(),
      Deadletter: (r: DeadletterRequest) =>
        settled(r.locktoken, (rc, m) =>
          rc.deadLetterMessage(m, deadLetterOptions(r)),
        )(),
      RenewMessageLock: async (r: LockTokenRequest) => {
        const entry = held.message(r.locktoken);
        if (!entry) throw settlementErrors.lockTokenNotFound(r.locktoken);
        await serviceBus(() => entry.receiver.renewMessageLock(entry.message));
        return {};
      },
      GetSessionState: async (r: SessionRequest) => {
        const state: unknown = await serviceBus(() => session(r.sessionId).receiver.getSessionState());
        const none = state === undefined || state === null;
        const bytes = none ? Buffer.alloc(0) : Buffer.isBuffer(state) ? state : Buffer.from(String(state));
        return { sessionState: bytes };
      },
      SetSessionState: async (r: SessionRequest) => {
        // The .NET host stores the bytes as they came (BinaryData); the JS SDK sends a Buffer as binary, the same.
        const state = Buffer.from(r.sessionState ?? Buffer.alloc(0));
        await serviceBus(() => session(r.sessionId).receiver.setSessionState(state));
        return {};
      },
      ReleaseSession: async (r: SessionRequest) => {
        session(r.sessionId).releaseRequested = true;
        return {};
      },
      RenewSessionLock: async (r: SessionRequest) => {
        const until = await serviceBus(() => session(r.sessionId).receiver.renewSessionLock());
        const ms = until.getTime();
        return { lockedUntil: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 } };
      },
    };

    const implementation: UntypedServiceImplementation = {};
    for (const [name, handle] of Object.entries(handlers)) {
      implementation[name] = (call: ServerUnaryCall<unknown, object>, callback: sendUnaryData<object>) => {
        handle(call.request as never).then(
          (response) => callback(null, response),
          (err: unknown) => {
            const error = err instanceof SettlementError ? err : settlementErrors.serviceBusFailed(err);
            logger.debug(`Settlement ${name} refused`, { code: error.code, details: error.message });
            callback(error.toServiceError());
          },
        );
      };
    }
    server.addService(proto.Settlement.service, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    return new SettlementServer(server, port);
  }

  /** The worker's command line that points its SDK bindings here. */
  workerArgs(): string[] {
    const max = String(GRPC_MAX_MESSAGE_LENGTH);
    const address = ["--host", "127.0.0.1", "--port", String(this.port)];
    return [...address, "--grpcMaxMessageLength", max, "--functions-grpc-max-message-length", max];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
