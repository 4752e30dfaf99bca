// Bundles the GraphiQL page into one production script and one stylesheet
// under crates/gateway/assets/graphiql, where the server embeds them, with
// the licences of every package that went into them.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = "../../crates/gateway/assets/graphiql";
const result = await build({
  entryPoints: { graphiql: "src/index.jsx" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  metafile: true,
  outdir: out,
  logLevel: "info",
});

// Every package a bundled file came from, with its licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/^(.*node_modules\/(@[^/]+\/[^/]+|[^/]+))\//);
  if (match && !packages.has(match[2])) packages.set(match[2], match[1]);
}
const notices = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const licenceFile = readdirSync(dir).find((file) => /^licen[cs]e/i.test(file));
    const text = licenceFile
      ? readFileSync(join(dir, licenceFile), "utf8").trim()
      : `Licence: ${manifest.license}`;
    return `## ${name} ${manifest.version}\n\n${text}\n`;
  });
writeFileSync(
  `${out}/THIRD-PARTY-NOTICES.md`,
  "# Packages bundled into graphiql.js and graphiql.css\n\n" +
    "Built by tools/graphiql from the versions in its package-lock.json.\n\n" +
    notices.join("\n"),
);
for (const stale of ["graphiql.js.LEGAL.txt", "graphiql.css.LEGAL.txt", "THIRD-PARTY-NOTICES.txt"]) {
  if (existsSync(join(out, stale))) rmSync(join(out, stale));
}

