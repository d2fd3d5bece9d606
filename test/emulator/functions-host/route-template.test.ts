import { describe, expect, it } from "vitest";
import { byPrecedence, compileRoute } from "../../../emulator/functions-host/triggers/route-template.js";

describe("HTTP route templates", () => {
  it("matches literals case-insensitively and captures parameters, decoded", () => {
    const r = compileRoute("api/users/{id}");
    expect(r.match("/API/Users/a%20b")).toEqual({ id: "a b" });
    expect(r.match("/api/users")).toBeUndefined();
    expect(r.match("/api/users/1/2")).toBeUndefined();
  });

  it("applies constraints, optional parameters and defaults", () => {
    const r = compileRoute("api/items/{id:int:min(1)}/{page:int?}");
    expect(r.match("/api/items/5")).toEqual({ id: "5" });
    expect(r.match("/api/items/5/2")).toEqual({ id: "5", page: "2" });
    expect(r.match("/api/items/0")).toBeUndefined();
    expect(r.match("/api/items/x")).toBeUndefined();
    expect(compileRoute("api/greet/{name=world}").match("/api/greet")).toEqual({ name: "world" });
    expect(compileRoute("api/g/{id:guid}").match("/api/g/3f2504e0-4f89-11d3-9a0c-0305e82c3301")).toBeDefined();
    expect(compileRoute("api/code/{c:regex(^a+b$)}").match("/api/code/aab")).toEqual({ c: "aab" });
    expect(compileRoute("api/code/{c:regex(^a+b$)}").match("/api/code/abc")).toBeUndefined();
  });

  it("captures the rest of the path with a catch-all and splits complex segments", () => {
    expect(compileRoute("api/files/{*path}").match("/api/files/a/b/c.txt")).toEqual({ path: "a/b/c.txt" });
    expect(compileRoute("api/files/{*path}").match("/api/files")).toEqual({});
    expect(compileRoute("api/docs/{name}.{ext}").match("/api/docs/report.pdf")).toEqual({ name: "report", ext: "pdf" });
  });

  it("rejects unknown constraints and misplaced catch-alls with the route in the message", () => {
    expect(() => compileRoute("api/{id:bogus}")).toThrow(/api\/\{id:bogus\}.*"bogus" is not supported/);
    expect(() => compileRoute("api/{*rest}/more")).toThrow(/catch-all/);
  });

  it("orders literal before constrained before plain before catch-all", () => {
    const routes = ["api/{*all}", "api/{name}", "api/{id:int}", "api/special"].map(compileRoute).sort(byPrecedence);
    expect(routes.map((r) => r.template)).toEqual(["api/special", "api/{id:int}", "api/{name}", "api/{*all}"]);
  });
});
