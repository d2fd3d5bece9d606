import { ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { entraCredentialOf } from "../../../src/telemetry/telemetry-setup.js";

describe("Application Insights authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)", () => {
  it("uses the managed identity for Authorization=AAD, the user-assigned one when a ClientId is given", () => {
    expect(entraCredentialOf("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD")).toBeInstanceOf(ManagedIdentityCredential);
    expect(entraCredentialOf("Authorization=aad")).toBeInstanceOf(ManagedIdentityCredential);
  });

  it("sends with the connection string alone when the setting is empty or not AAD", () => {
    expect(entraCredentialOf("")).toBeUndefined();
    expect(entraCredentialOf("Authorization=Key")).toBeUndefined();
  });
});
