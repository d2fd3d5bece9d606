/**
 * The settlement contract between a worker's Service Bus SDK binding (@azure/functions-extensions-servicebus) and
 * the Functions host: gRPC service `Settlement` (no package) with the message and field numbers the Service Bus
 * extension serves on Azure. Written here as a protobuf JSON descriptor so the emulator needs no .proto file next
 * to its built code; the three Google well-known types it uses are declared with it.
 */
import { fromJSON, type PackageDefinition } from "@grpc/proto-loader";

const field = (type: string, id: number) => ({ type, id });
const lockToken = { locktoken: field("string", 1) };
const withProperties = { ...lockToken, propertiesToModify: field("bytes", 2) };
const session = { sessionId: field("string", 1) };
const rpc = (requestType: string, responseType = "google.protobuf.Empty") => ({ requestType, responseType });

const descriptor = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Empty: { fields: {} },
            StringValue: { fields: { value: field("string", 1) } },
            Timestamp: { fields: { seconds: field("int64", 1), nanos: field("int32", 2) } },
          },
        },
      },
    },
    Settlement: {
      methods: {
        Complete: rpc("CompleteRequest"),
        Abandon: rpc("AbandonRequest"),
        Deadletter: rpc("DeadletterRequest"),
        Defer: rpc("DeferRequest"),
        RenewMessageLock: rpc("RenewMessageLockRequest"),
        GetSessionState: rpc("GetSessionStateRequest", "GetSessionStateResponse"),
        SetSessionState: rpc("SetSessionStateRequest"),
        ReleaseSession: rpc("ReleaseSessionRequest"),
        RenewSessionLock: rpc("RenewSessionLockRequest", "RenewSessionLockResponse"),
      },
    },
    // propertiesToModify, where set, is an AMQP-encoded map of application properties to change on the message.
    CompleteRequest: { fields: lockToken },
    AbandonRequest: { fields: withProperties },
    DeadletterRequest: {
      fields: {
        ...withProperties,
        deadletterReason: field("google.protobuf.StringValue", 3),
        deadletterErrorDescription: field("google.protobuf.StringValue", 4),
      },
    },
    DeferRequest: { fields: withProperties },
    RenewMessageLockRequest: { fields: lockToken },
    GetSessionStateRequest: { fields: session },
    SetSessionStateRequest: { fields: { ...session, sessionState: field("bytes", 2) } },
    GetSessionStateResponse: { fields: { sessionState: field("bytes", 1) } },
    ReleaseSessionRequest: { fields: session },
    RenewSessionLockRequest: { fields: session },
    RenewSessionLockResponse: { fields: { lockedUntil: field("google.protobuf.Timestamp", 1) } },
  },
};

/** Loaded as the extension loads its copy: camelCase fields, longs as strings, defaults filled in. */
export function settlementPackage(): PackageDefinition {
  const options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };
  return fromJSON(descriptor as Parameters<typeof fromJSON>[0], options);
}

export interface LockTokenRequest {
  locktoken: string;
  propertiesToModify?: Buffer;
}
export interface DeadletterRequest extends LockTokenRequest {
  deadletterReason?: { value: string } | null;
  deadletterErrorDescription?: { value: string } | null;
}
export interface SessionRequest {
  sessionId: string;
  sessionState?: Buffer;
}
