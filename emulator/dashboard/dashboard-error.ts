/**
 * The dashboard's one error type: an HTTP refusal with a problem+json body (RFC 9457), made by named factories so
 * every refusal of its routes reads the same way.
 */
import { HttpError, PROBLEM_JSON } from "../common/http-server.js";

export class DashboardError extends HttpError {
  override readonly name = "DashboardError";

  private constructor(status: number, title: string, detail: string) {
    super(status, { type: "about:blank", title, status, detail }, PROBLEM_JSON);
  }

  static notFound(detail: string): DashboardError {
    return new DashboardError(404, "Not found", detail);
  }

  static badRequest(detail: string): DashboardError {
    return new DashboardError(400, "Bad request", detail);
  }

  /** The service refused the action (`title` is its error code, e.g. MessagingEntityNotFound). */
  static refused(status: number, title: string, detail: string): DashboardError {
    return new DashboardError(status, title, detail);
  }
}
