/** A refused update of a subscription's WebHook endpoint: the HTTP status and ARM-style error the route answers. */
export class WebhookUpdateError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = "WebhookUpdateError";
  }

  get code(): string {
    return this.status === 404 ? "ResourceNotFound" : "InvalidRequest";
  }
}
