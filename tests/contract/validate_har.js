// Validates a HAR file against the HAR 1.2 JSON schema (npm's har-schema,
// draft-06) with ajv 6. Exit 0 when valid; 1 with every error otherwise.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const schemas = require('har-schema');

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate_har.js FILE.har');
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json'));
for (const [name, schema] of Object.entries(schemas)) {
  if (name !== 'har') ajv.addSchema(schema);
}
const validate = ajv.compile(schemas.har);
const har = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!validate(har)) {
  console.error(`${file}: NOT a valid HAR 1.2 document:`);
  for (const e of validate.errors) console.error(`  ${e.dataPath || '(root)'} ${e.message}`);
  process.exit(1);
}
const n = har.log.entries.length;
if (n === 0) {
  console.error(`${file}: valid but empty; the check needs entries to mean anything`);
  process.exit(1);
}
console.log(`${file}: a valid HAR 1.2 document with ${n} entries`);
