#!/usr/bin/env node
// Reads an inference of the service (the JSON of GET /v1/inferences/{id}) on standard input and
// writes snarkjs's proof.json and public.json into the folder given as argument (default: .).
// The key comes from GET /v1/circuits/{id}/verification_key.json. Mapping: docs/snarkjs.md.
//   curl -s http://localhost:8080/v1/inferences/$INFERENCE_ID | node snarkjs-from-inference.js out/
"use strict";
const fs = require("fs");
const path = require("path");
const dir = process.argv[2] || ".";
const inf = JSON.parse(fs.readFileSync(0, "utf8"));
if (inf.status !== "succeeded" || typeof inf.proof !== "string") {
  console.error("inference " + inf.id + " is " + inf.status + ": it has no proof yet");
  process.exit(1);
}
const hex = inf.proof;
if (!/^0x[0-9a-fA-F]{512}$/.test(hex)) {
  console.error("proof is not 0x + 256 bytes of hex");
  process.exit(1);
}
// A.x | A.y | B.x.a1 | B.x.a0 | B.y.a1 | B.y.a0 | C.x | C.y (big-endian words, imaginary part first);
// snarkjs writes an Fp2 element [c0, c1] = c0 + c1·u, real part first.
const w = [];
for (let i = 0; i < 8; i++) w.push(BigInt("0x" + hex.slice(2 + 64 * i, 66 + 64 * i)).toString());
const g1 = (x, y) => (x === "0" && y === "0") ? ["0", "1", "0"] : [x, y, "1"];
const proof = { pi_a: g1(w[0], w[1]), pi_b: [[w[3], w[2]], [w[5], w[4]], ["1", "0"]], pi_c: g1(w[6], w[7]),
  protocol: "groth16", curve: "bn128" };
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "proof.json"), JSON.stringify(proof, null, 1) + "\n");
fs.writeFileSync(path.join(dir, "public.json"), JSON.stringify(inf.publicInputs, null, 1) + "\n");
console.log("wrote " + path.join(dir, "proof.json") + " and " + path.join(dir, "public.json"));
