/**
 * The `istio-custom-ca` command. `lint <files or folders…>` checks existing configuration for settings that
 * Istio, cert-manager, istio-csr, Vault or Prometheus ignore, reject or misread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { istioVersionProblem } from './model/istio-version';
import { formatHuman, formatJson, formatSarif, lintPaths } from './lint/lint';
import { RULES } from './lint/rules';

const USAGE = `usage: istio-custom-ca lint [options] <files or folders...>

Reads multi-document YAML and JSON: Kubernetes manifests, IstioOperator files, istiod and istio-csr Helm values,
Prometheus rule files and PrometheusRules, Terraform JSON for Vault. Exits 1 when an error-level finding exists.

options:
  --format human|json|sarif   output format (default human)
  --istio-version 1.<minor>   target Istio version (default 1.30)
  --istio-namespace NAME      istiod namespace (default istio-system)
  --root-namespace NAME       mesh root namespace (default istio-system)
  --rules                     list the rules and exit
  -h, --help                  this help`;

function version(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
  }
}

/** Runs the CLI; returns the exit code. */
export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') {
    out(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command !== 'lint') {
    err(`istio-custom-ca: unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  let format = 'human';
  const options: { istioVersion?: string; istioNamespace?: string; rootNamespace?: string } = {};
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--format') format = value();
      else if (a === '--istio-version') options.istioVersion = value();
      else if (a === '--istio-namespace') options.istioNamespace = value();
      else if (a === '--root-namespace') options.rootNamespace = value();
      else if (a === '--rules') {
        for (const r of RULES) out(`${r.id} ${r.severity.padEnd(7)} ${r.name} (docs/reference.md ${r.fact}): ${r.fix}\n`);
        return 0;
      } else if (a === '-h' || a === '--help') {
        out(`${USAGE}\n`);
        return 0;
      } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
      else paths.push(a);
    } catch (e) {
      err(`istio-custom-ca lint: ${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
  }
  if (!['human', 'json', 'sarif'].includes(format)) {
    err(`istio-custom-ca lint: --format (${format}) must be human, json or sarif\n`);
    return 2;
  }
  if (options.istioVersion !== undefined) {
    const p = istioVersionProblem('--istio-version', options.istioVersion);
    if (p) {
      err(`istio-custom-ca lint: ${p}\n`);
      return 2;
    }
  }
  if (paths.length === 0) {
    err(`istio-custom-ca lint: give at least one file or folder\n${USAGE}\n`);
    return 2;
  }
  let result;
  try {
    result = lintPaths(paths, options);
  } catch (e) {
    err(`istio-custom-ca lint: ${(e as Error).message}\n`);
    return 2;
  }
  out(format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, version()) : formatHuman(result));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
