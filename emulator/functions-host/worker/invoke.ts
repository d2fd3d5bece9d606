/**
 * One invocation, the way the Node.js worker's InvocationHandler runs it: the library's InvocationModel builds the
 * arguments, preInvocation hooks may replace inputs or the handler, the handler runs, postInvocation hooks may
 * replace the result or the error, and the InvocationModel turns the result into the response for the host.
 */
import type { RpcInvocationRequest, RpcInvocationResponse } from "../rpc-types.js";
import { restoreBindingBuffers } from "./binding-data.js";
import type { CoreApiStandIn } from "./core-api.js";

type InvocationState = "preInvocationHooks" | "postInvocationHooks" | "invocation" | undefined;

export async function invokeFunction(core: CoreApiStandIn, functionName: string, request: RpcInvocationRequest): Promise<RpcInvocationResponse> {
  const registered = core.functions.get(functionName.toLowerCase());
  if (!registered) throw new Error(`No function named "${functionName}" is registered.`);
  const model = core.programmingModel;
  if (!model) throw new Error("The app registered no programming model (no `app.*` call from @azure/functions).");

  restoreBindingBuffers(request);
  // Logs written while the library builds the arguments have no context yet.
  const current: { context?: unknown } = {};
  const coreContext = {
    invocationId: request.invocationId,
    request,
    metadata: { name: registered.metadata.name, bindings: registered.metadata.bindings, retryOptions: registered.metadata.retryOptions },
    state: undefined as InvocationState,
    log: (level: Parameters<CoreApiStandIn["emitLog"]>[0], category: Parameters<CoreApiStandIn["emitLog"]>[1], message: string) =>
      core.emitLog(level, category, message, current.context),
  };

  const invocationModel = await model.getInvocationModel(coreContext);
  const { context, inputs } = await invocationModel.getArguments();
  current.context = context;

  const hookData: Record<string, unknown> = {};
  const pre = { hookData, appHookData: core.appHookData, invocationContext: context, inputs, functionCallback: registered.callback };
  coreContext.state = "preInvocationHooks";
  for (const hook of core.hooks.get("preInvocation") ?? []) await hook(pre);

  coreContext.state = "invocation";
  let result: unknown;
  let error: unknown;
  try {
    result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
  } catch (err) {
    error = err;
  }

  coreContext.state = "postInvocationHooks";
  const post = { hookData, appHookData: core.appHookData, invocationContext: context, inputs: pre.inputs, result, error };
  try {
    for (const hook of core.hooks.get("postInvocation") ?? []) await hook(post);
  } finally {
    coreContext.state = undefined;
  }

  if (post.error !== undefined && post.error !== null) throw post.error;
  return (await invocationModel.getResponse(context, post.result)) as RpcInvocationResponse;
}
