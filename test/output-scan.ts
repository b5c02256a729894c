/** Scans synthesized output for things that must never be there: secrets, tokens, and known-wrong settings. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Every file below `dir`, recursively, sorted. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesBelow(p));
    else out.push(p);
  }
  return out;
}

const FORBIDDEN: ReadonlyArray<readonly [string, RegExp]> = [
  ['a PEM private key', /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/],
  ['a Vault token', /\bhv[sbr]\.[A-Za-z0-9_-]{20,}|\bs\.[A-Za-z0-9]{24}\b/],
  ['a JWT', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/],
  ['an unresolved cdktf token', /\$\{TfToken\[/],
  // istio-ca-facts.md §11: settings that Istio never reads
  ['CITADEL_ENABLE_CA_SERVER (claim b)', /CITADEL_ENABLE_CA_SERVER/],
  ['secretTtl (claim d)', /secretTtl/],
  ['VAULT_* env on istiod (claim g)', /\bVAULT_[A-Z_]+:/],
  ['pilotCertProvider: kubernetes (claim a)', /pilotCertProvider:\s*kubernetes\b/],
  ['a hand-made istio-ca-root-cert ConfigMap (claim k)', /name:\s*istio-ca-root-cert\b/],
  ['istio_certificate_expiration_timestamp (claim i)', /istio_certificate_expiration_timestamp/],
];

/** Findings as `file: what`, empty when clean. */
export function scanOutput(dir: string): string[] {
  const findings: string[] = [];
  for (const f of filesBelow(dir)) {
    const text = readFileSync(f, 'utf8');
    for (const [what, re] of FORBIDDEN) if (re.test(text)) findings.push(`${f}: ${what}`);
    if (/\.ya?ml$/.test(f)) {
      for (const d of parseAllDocuments(text)) {
        const doc = d.toJS() ?? {};
        if ((doc.spec?.meshConfig ?? doc.meshConfig)?.ca !== undefined) findings.push(`${f}: meshConfig.ca (claim a)`);
      }
    }
  }
  return findings;
}
