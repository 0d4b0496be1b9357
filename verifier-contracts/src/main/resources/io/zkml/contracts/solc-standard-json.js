// Runs solc-js (the pinned npm package `solc`, a WebAssembly build: nothing is downloaded) on a
// standard-JSON input read from stdin, and writes {"version": ..., "output": <solc's output>} to
// stdout. Run by io.zkml.contracts.SolidityCompiler with the verifier-contracts folder as the
// working directory, so that require('solc') resolves to its node_modules.
'use strict';
const solc = require('solc');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const output = JSON.parse(solc.compile(input));
  process.stdout.write(JSON.stringify({ version: solc.version(), output: output }));
});
