// Test-only HPKE oracle for ChainGateway.Core.Tests: reads a JSON array of operations on stdin, answers a JSON
// array on stdout. Suite: DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305, base mode, single-shot.
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const hex = (bytes) => Buffer.from(new Uint8Array(bytes)).toString("hex");
const bin = (text) => new Uint8Array(Buffer.from(text, "hex"));

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const op of JSON.parse(input)) {
  if (op.op === "seal") {
    const recipientPublicKey = await suite.kem.deserializePublicKey(bin(op.pkR));
    const sealed = await suite.seal({ recipientPublicKey, info: bin(op.info) }, bin(op.pt), bin(op.aad));
    results.push({ enc: hex(sealed.enc), ct: hex(sealed.ct) });
  } else if (op.op === "open") {
    const recipientKey = await suite.kem.deserializePrivateKey(bin(op.skR));
    try {
      const pt = await suite.open({ recipientKey, enc: bin(op.enc), info: bin(op.info) }, bin(op.ct), bin(op.aad));
      results.push({ pt: hex(pt) });
    } catch (e) {
      results.push({ error: String(e.name || e) });
    }
  } else {
    results.push({ error: "unknown op" });
  }
}
process.stdout.write(JSON.stringify(results));
