/**
 * The Functions app's entry (package.json `main` points at its compiled form, dist/functions/index.js, which both
 * `func start` and the local host load): one import per function group.
 */
import "./purchases-api.js";
import "./purchase-consumers.js";
import "./notifications.js";
