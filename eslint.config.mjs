// ESLint: Next.js's rules (React, hooks, accessibility, Core Web Vitals) and typescript-eslint's.
// `npm run lint` runs it over the whole tree; CI fails on any error or warning.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "lib/db/generated/**",
    "node_modules/**",
    "test-results/**",
    ".native/**",
    "models/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      // Unused names are mistakes, except those marked as deliberately unused.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // Faces, crops and photos come from authenticated API routes and blob: previews; Next's image
      // optimizer would fetch them without the reviewer's session and cache them server-side.
      "@next/next/no-img-element": "off",
      // The pages load their data in effects that set state after an await (a fetch); this
      // React Compiler check cannot tell that from a synchronous update and flags them all.
      "react-hooks/set-state-in-effect": "off",
      // A `let` that shutdown handlers read before the thing it names has started is not a const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // CommonJS on purpose: the launcher's preload (`node --require`) and tool configs.
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Test helpers named use* (useTestDb, useBrowserApp) register vitest hooks, not React hooks.
    files: ["test/**", "**/*.test.ts", "**/*.test.tsx", "bench/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
]);
