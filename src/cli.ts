/**
 * The `istio-custom-ca` command. `lint <files or folders…>` checks existing configuration for settings that
 * Istio, cert-manager, istio-csr, Vault or Prometheus ignore, reject or misread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { istioVersionProblem } from './model/istio-version';
import { fails, formatHuman, formatJson, formatSarif, INPUT_RULES, lintPathsAsync, LintOptions } from './lint/lint';
import { CONFIG_FILE, findConfig, Level, levelProblem, loadConfig } from './lint/lint-config';
import { RULES } from './lint/rules';

const USAGE = `usage: istio-custom-ca lint [options] <files or folders...>

Reads multi-document YAML and JSON: Kubernetes manifests, IstioOperator files, istiod, istio-csr, ztunnel and gateway
Helm values (also inside Sail Istio, Argo CD Application, Flux HelmRelease and kustomize helmCharts), the istio mesh
ConfigMap, proxy.istio.io/config annotations, Prometheus rule files, PrometheusRules, VMRules and kube-prometheus-stack
values, Terraform JSON for Vault. Cross-file checks pair only documents of one context (a folder or kustomization, or
a declared context). Exits 1 when a finding at or above --fail-on remains, 2 on bad arguments.

options:
  --format human|json|sarif   output format (default human)
  --istio-version 1.<minor>   target Istio version (default 1.30)
  --istio-namespace NAME      istiod namespace (default istio-system)
  --root-namespace NAME       mesh root namespace (default istio-system)
  --context DIR               the files under DIR deploy together (repeatable; e.g. one per cluster)
  --fail-on error|warning|note|none
                              lowest severity that fails the run (default error)
  --disable ICAnnn            skip a rule (repeatable)
  --config FILE               settings file (default ./${CONFIG_FILE} when it exists)
  --rules                     list the rules and exit
  -h, --help                  this help

Silence one finding with a reason, on its line or the line above:
  # istio-custom-ca-lint: ignore ICA005 -- ztunnel reads this env`;

function version(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
  }
}

/** What the command line set. */
interface CliSettings {
  istioVersion?: string;
  istioNamespace?: string;
  rootNamespace?: string;
  failOn?: Level | 'none';
  contextDirs: string[];
  disable: string[];
  config?: string;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
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
  const cli: CliSettings = { contextDirs: [], disable: [] };
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
      else if (a === '--istio-version') cli.istioVersion = value();
      else if (a === '--istio-namespace') cli.istioNamespace = value();
      else if (a === '--root-namespace') cli.rootNamespace = value();
      else if (a === '--context') cli.contextDirs.push(value());
      else if (a === '--disable') cli.disable.push(value());
      else if (a === '--config') cli.config = value();
      else if (a === '--fail-on') {
        const v = value();
        const p = levelProblem('--fail-on', v, 'none');
        if (p) throw new Error(p);
        cli.failOn = v as Level | 'none';
      } else if (a === '--rules') {
        for (const r of [...RULES, ...INPUT_RULES]) out(`${r.id} ${r.severity.padEnd(7)} ${r.name}${r.fact !== '-' ? ` (docs/reference.md ${r.fact})` : ''}: ${r.fix}\n  ${r.helpUri}\n`);
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
  const checked = checkedOptions(cli, paths);
  if (checked.error !== undefined) {
    err(`istio-custom-ca lint: ${checked.error}\n${checked.usage ? `${USAGE}\n` : ''}`);
    return 2;
  }
  const options = checked.options ?? {};
  let result;
  try {
    result = await lintPathsAsync(paths, options);
  } catch (e) {
    err(`istio-custom-ca lint: ${(e as Error).message}\n`);
    return 2;
  }
  out(format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, version()) : formatHuman(result));
  return fails(result, options.failOn) ? 1 : 0;
}

/** Command-line settings over the config file's, checked; an error text (exit 2) otherwise. */
function checkedOptions(cli: CliSettings, paths: readonly string[]): { options?: LintOptions; error?: string; usage?: boolean } {
  const known = new Set([...RULES, ...INPUT_RULES].map((r) => r.id));
  const unknown = cli.disable.filter((id) => !known.has(id));
  if (unknown.length) return { error: `--disable ${unknown.join(', ')}: no such rule; see --rules` };
  const p = cli.istioVersion === undefined ? undefined : istioVersionProblem('--istio-version', cli.istioVersion);
  if (p) return { error: p };
  if (paths.length === 0) return { error: 'give at least one file or folder', usage: true };
  const missing = paths.filter((f) => !existsSync(f));
  if (missing.length) return { error: `${missing.join(', ')}: no such file or folder (ENOENT)` };
  try {
    const file = cli.config ?? findConfig(process.cwd());
    const config = file ? loadConfig(file) : {};
    const unknownRules = Object.keys(config.rules ?? {}).filter((id) => !known.has(id));
    if (unknownRules.length) return { error: `${file}: 'rules' names no such rule: ${unknownRules.join(', ')}; see --rules` };
    const { config: _file, ...given } = cli;
    return { options: { ...config, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
