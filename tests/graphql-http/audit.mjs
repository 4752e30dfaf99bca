// Runs every audit of the graphql-http suite (the reference implementation
// of the GraphQL-over-HTTP spec) against the server at the given URL and
// prints the full report. Exits non-zero when any MUST or SHOULD is not met.
//
//   node audit.mjs http://127.0.0.1:8080/graphql
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <graphql endpoint URL>");
  process.exit(2);
}

const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = `${result.status.padEnd(7)} ${result.id} ${result.name}`;
  if (result.status === "ok") {
    console.log(line);
    continue;
  }
  const mandatory = result.name.startsWith("MUST") || result.name.startsWith("SHOULD");
  if (mandatory) failed += 1;
  console.log(`${line}\n        ${result.reason}`);
}
const counts = results.reduce((tally, { status }) => {
  tally[status] = (tally[status] ?? 0) + 1;
  return tally;
}, {});
console.log(`\n${results.length} audits: ${JSON.stringify(counts)}; MUST or SHOULD not met: ${failed}`);
process.exit(failed === 0 ? 0 : 1);
