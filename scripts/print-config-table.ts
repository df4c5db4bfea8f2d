// Prints the README's configuration reference table from the schema: `node dist/scripts/print-config-table.js`.
import { CONFIG_KEYS } from "../src/config/config-schema.js";

const escape = (text: string): string => text.replaceAll("|", "\\|");
process.stdout.write("| Variable | Default | Allowed | Meaning |\n|---|---|---|---|\n");
for (const spec of CONFIG_KEYS) {
  const defaultValue =
    spec.defaultValue === undefined || spec.defaultValue === "" ? "(empty)" : `\`${spec.defaultValue}\``;
  process.stdout.write(
    `| \`${spec.key}\` | ${defaultValue} | ${escape(spec.allowed)} | ${escape(spec.meaning)} |\n`,
  );
}
