// ESLint flat config: type-checked TypeScript rules, rxjs rules, and the clock/randomness seam.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import rxjsX from "eslint-plugin-rxjs-x";
import prettier from "eslint-config-prettier";

/** Wall-clock time, randomness and timers are only allowed where the outside world is wired in. */
const impureTimeAndRandomness = {
  "no-restricted-properties": [
    "error",
    { object: "Date", property: "now", message: "Read time from an injected Clock (src/core/clock.ts)." },
    { object: "Math", property: "random", message: "Use a seeded Rng (src/core/rng.ts)." },
  ],
  "no-restricted-globals": [
    "error",
    { name: "setTimeout", message: "Timers belong in adapters/app; pass a Clock or scheduler in." },
    { name: "setInterval", message: "Timers belong in adapters/app; pass a Clock or scheduler in." },
    { name: "setImmediate", message: "Timers belong in adapters/app; pass a Clock or scheduler in." },
  ],
};

export default tseslint.config(
  { ignores: [".scratch/**", "dist/**", "node_modules/**", "coverage/**", "reports/**", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  { ...rxjsX.configs.recommended, files: ["**/*.ts"] },
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      ...impureTimeAndRandomness,
    },
  },
  {
    files: [
      "src/adapters/**",
      "src/app/**",
      "src/service/**",
      "src/cli/**",
      "src/main.ts",
      "src/gateway-sim/**",
      "src/core/system-clock.ts",
      "src/core/system-scheduler.ts",
      "test/**",
      "bench/**",
      "scripts/**",
      "**/*.test.ts",
    ],
    rules: { "no-restricted-properties": "off", "no-restricted-globals": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // pm2's ecosystem file is CommonJS by pm2's rules.
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.test.ts", "test/**"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  prettier,
);
