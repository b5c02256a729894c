#!/usr/bin/env node
// Entry point of the `istio-custom-ca` command: the compiled CLI when built (npm run build), else the
// TypeScript source through tsx (a development dependency of this repository).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const compiled = join(__dirname, '..', 'lib', 'src', 'cli.js');
let cli;
if (existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs');
  cli = require(join(__dirname, '..', 'src', 'cli.ts'));
}
cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
