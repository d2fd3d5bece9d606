// Lint rules: typescript-eslint's recommended set, strict on what hides bugs in async messaging code.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "emulator/dist/**", "node_modules/**", ".data/**", "**/*.generated.js", "**/*.generated.ts", "coverage/**", ".scratch/**", ".ci-out/**", "bench-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // The dashboard's page runs in the browser: its globals, named one by one (no dependency for a list).
    files: ["emulator/dashboard/page/**/*.js"],
    languageOptions: {
      globals: Object.fromEntries(
        [
          ...["fetch", "confirm", "setInterval", "clearInterval", "location", "EventSource", "document"],
          ...["sessionStorage", "TextEncoder", "crypto", "btoa"],
        ].map((name) => [name, "readonly"]),
      ),
    },
  },
);
