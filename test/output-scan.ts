/**
 * Scans synthesized output for what must never be there: secrets and unresolved tokens (patterns here), and every
 * setting a real component ignores or rejects (the linter's rules, so that no rule is written twice).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lintPaths } from '../src/lint/lint';

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
  ['an unresolved cdktf token', /[$#]\{TfToken\[/],
];

/** Findings of the forbidden patterns (keys, tokens, JWTs, cdktf tokens) in one text, as `name: what`. */
export function scanText(name: string, text: string): string[] {
  return FORBIDDEN.filter(([, re]) => re.test(text)).map(([what]) => `${name}: ${what}`);
}

/** Findings as `file: what`, empty when clean. */
export function scanOutput(dir: string): string[] {
  const findings: string[] = [];
  for (const f of filesBelow(dir)) {
    const text = readFileSync(f, 'utf8');
    for (const [what, re] of FORBIDDEN) if (re.test(text)) findings.push(`${f}: ${what}`);
  }
  for (const f of lintPaths([dir]).findings) findings.push(`${f.file}: ${f.ruleId} ${f.rule}`);
  return findings;
}
