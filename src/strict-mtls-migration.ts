import { dirname, join } from 'node:path';
import { App, Chart, Duration, Size } from 'cdk8s';
import { Job } from 'cdk8s-plus-27/lib/job';
import { Cpu, EnvValue } from 'cdk8s-plus-27/lib/container';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode, PeerAuthenticationV1Beta1 } from './imports/istio-security-security.istio.io';
import { MANAGED_BY } from './k8s/_scope';
import { PermissivePeerAuth } from './k8s/permissive-peer-auth';
import { manifestYaml } from './k8s/manifest-yaml';
import { MeshApp } from './mesh-app';
import { defaultTerraformStateDir, GeneratedFile, writeOutputTree } from './output-tree';
import { humanDuration, lifetimeMs } from './model/durations';
import { check, deepTokenProblem, fail } from './model/errors';
import { DEFAULT_ISTIO_VERSION, holds, istioVersionProblem } from './model/istio-version';
import { ISTIO_DEFAULTS } from './model/istio-settings';
import { namespaceProblem } from './model/k8s-names';

const NAME = 'StrictMtlsMigration';
/** The stage chart's id: the load-test Job's `cdk8s.io/metadata.addr` label hashes its path. */
const CHART_ID = 'mtls-migration';

/** Each namespace's document when PERMISSIVE and when STRICT, in namespace order, and the stage file's path. */
interface NamespaceDocuments {
  readonly permissive: unknown[];
  readonly strict: unknown[];
  readonly path: string;
}

/** A Job that calls a service for a fixed time and fails when too many calls fail. */
export interface LoadTestOptions {
  /** URL to call, e.g. http://payments.shop.svc.cluster.local:8080/healthz. */
  readonly url: string;
  /** Namespace the Job runs in (a meshed namespace, so it calls through its sidecar). */
  readonly namespace: string;
  /**
   * How long to call.
   * @default Duration.minutes(10)
   */
  readonly duration?: Duration;
  /**
   * Smallest acceptable success ratio; the Job exits non-zero below it.
   * @default 0.999
   */
  readonly minSuccessRatio?: number;
  /**
   * Container image with `sh` and `curl`.
   * @default 'curlimages/curl:8.11.1'
   */
  readonly image?: string;
}

/** One stage of the migration. */
export interface MigrationStage {
  /** Output folder, e.g. `1-strict-shop`. */
  readonly folder: string;
  /** Namespaces that are STRICT in this stage. */
  readonly strict: string[];
}

/** Props of `StrictMtlsMigration`. */
export interface StrictMtlsMigrationProps {
  /** Namespaces to move to STRICT, in this order. */
  readonly namespaces: string[];
  /**
   * Output folder: one folder per stage, and MIGRATION.md.
   * @default 'dist/mtls-migration'
   */
  readonly outdir?: string;
  /**
   * Istio version targeted (PeerAuthentication API version).
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * The mesh root namespace; it is never given a namespace-wide policy here.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * A load-test Job defined in every stage, to run while the stage rolls out.
   * @default - none
   */
  readonly loadTest?: LoadTestOptions;
}

/** The load-test script: POSIX sh and curl; exits 1 when the success ratio is below the threshold. */
export const LOAD_TEST_SCRIPT = [
  'set -u',
  'end=$(( $(date +%s) + DURATION_SECONDS ))',
  'ok=0; failed=0',
  'while [ "$(date +%s)" -lt "$end" ]; do',
  '  if curl -fsS -o /dev/null --max-time 5 "$URL"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi',
  '  sleep 0.2',
  'done',
  'total=$((ok + failed))',
  'echo "requests=$total ok=$ok failed=$failed"',
  // Stop the sidecar so that the Job completes (istio-agent's /quitquitquit on :15020).
  'curl -fsS -X POST http://127.0.0.1:15020/quitquitquit >/dev/null 2>&1 || true',
  '[ "$total" -gt 0 ] && [ $(( ok * 1000 / total )) -ge "$MIN_SUCCESS_PER_MILLE" ]',
].join('\n');

/**
 * PERMISSIVE → STRICT, namespace by namespace, as ordered GitOps stages: `0-permissive/` makes every namespace
 * explicitly PERMISSIVE, then each `N-strict-<namespace>/` turns one more namespace STRICT. Run the load test during
 * each stage; move on only when it succeeds (peers.md §2, pain point 19).
 */
export class StrictMtlsMigration {
  /** Stage folders, in order, with the namespaces STRICT in each. */
  public readonly stages: MigrationStage[];
  private readonly outdir: string;
  private readonly props: StrictMtlsMigrationProps;
  private readonly version: string;
  private readonly root: string;
  /** Each namespace's document when PERMISSIVE and when STRICT (from stage 0 and the last stage), and the file. */
  private readonly docs: NamespaceDocuments;

  public constructor(props: StrictMtlsMigrationProps) {
    // No cdktf token may reach a manifest through any string prop (Issue 11).
    check(NAME, deepTokenProblem(props));
    this.props = props;
    this.outdir = props.outdir ?? join('dist', 'mtls-migration');
    const version = props.istioVersion ?? DEFAULT_ISTIO_VERSION;
    check(NAME, istioVersionProblem('istioVersion', version));
    const root = props.rootNamespace ?? ISTIO_DEFAULTS.rootNamespace;
    if (props.namespaces.length === 0) fail(NAME, "'namespaces' ([]) is empty; list the namespaces to move to STRICT, in order");
    const seen = new Set<string>();
    for (const ns of props.namespaces) {
      check(NAME, namespaceProblem('namespaces', ns));
      if (ns === root) fail(NAME, `'namespaces' lists the root namespace (${root}), where a namespace-wide policy is mesh-wide; migrate workload namespaces only`);
      if (seen.has(ns)) fail(NAME, `'namespaces' lists ${ns} twice; give each namespace once`);
      seen.add(ns);
    }
    const lt = props.loadTest;
    if (lt) {
      check(NAME, namespaceProblem('loadTest.namespace', lt.namespace));
      if (!/^https?:\/\/\S+$/.test(lt.url)) fail(NAME, `'loadTest.url' (${lt.url}) must be an http:// or https:// URL`);
      const ratio = lt.minSuccessRatio ?? 0.999;
      // Below 0.9 the gate passes a cut-over that breaks one workload in ten; above 1 it can never pass.
      if (!(ratio >= 0.9 && ratio <= 1)) {
        fail(NAME, `'loadTest.minSuccessRatio' (${ratio}) must be from 0.9 to 1: a lower bar lets a STRICT cut-over that breaks every ` +
          'tenth request pass the gate');
      }
      if (lt.image !== undefined && (typeof lt.image !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(lt.image) || lt.image.length > 512)) {
        fail(NAME, `'loadTest.image' (${lt.image}) must be a container image reference such as curlimages/curl:8.11.1 (no spaces, not empty)`);
      }
      lifetimeMs(NAME, 'loadTest.duration', lt.duration ?? Duration.minutes(10), { minMs: 10_000, minWhy: 'a shorter run proves nothing', wholeSeconds: true });
    }

    this.stages = [{ folder: '0-permissive', strict: [] },
      ...props.namespaces.map((ns, i) => ({ folder: `${i + 1}-strict-${ns}`, strict: props.namespaces.slice(0, i + 1) }))];
    this.version = version;
    this.root = root;
    // Each stage holds every namespace's policy: all stages at once grow as n². A namespace's document does not depend
    // on the stage (PERMISSIVE until its stage, STRICT from it), so the first and the last stage, rendered here (which
    // also refuses bad input at construction), give every document; `synth()` assembles each stage from them.
    this.docs = this.namespaceDocuments();
  }

  private namespaceDocuments(): NamespaceDocuments {
    const n = this.props.namespaces.length;
    const [first, last] = [0, n].map((i) => {
      const app = this.stageApp(i);
      const files = app.renderOutput();
      const docs = app.charts[0].toJson();
      const placed = files.length === 1 && docs.length === n + (this.props.loadTest ? 1 : 0) &&
        this.props.namespaces.every((ns, k) => (docs[k] as { metadata?: { namespace?: string } }).metadata?.namespace === ns);
      // A construct that adds a file or a document breaks the assembly; the equality test with stageApp() guards it.
      if (!placed) throw new Error(`${NAME}: internal: stage ${this.stages[i].folder} is not one document per namespace in one file`);
      return { docs: docs.slice(0, n), path: files[0].path };
    });
    return { permissive: first.docs, strict: last.docs, path: first.path };
  }

  /**
   * Builds stage `index` (0 = `0-permissive`) into a new `MeshApp` whose output folder is the stage's folder. Each
   * call builds afresh; `synth()` writes the same files without building the stages between the first and the last.
   */
  public stageApp(index: number): MeshApp {
    const stage = this.stages[index];
    if (!Number.isInteger(index) || stage === undefined) {
      fail(NAME, `stageApp index (${index}) must be a whole number from 0 to ${this.stages.length - 1} (one per stage folder)`);
    }
    const props = this.props;
    const app = new MeshApp({ outdir: join(this.outdir, stage.folder), terraformStateDir: defaultTerraformStateDir(dirname(this.outdir)) });
    const chart = new Chart(app, CHART_ID);
    const strict = new Set(stage.strict);
    props.namespaces.forEach((ns, k) => {
      if (strict.has(ns)) {
        const metadata = { name: 'default', namespace: ns, labels: MANAGED_BY };
        const spec = { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } };
        if (holds('V1_APIS', this.version)) new PeerAuthentication(chart, `Strict-${ns}`, { metadata, spec });
        else new PeerAuthenticationV1Beta1(chart, `Strict-${ns}`, { metadata, spec: spec as any });
      } else {
        new PermissivePeerAuth(chart, `Permissive-${ns}`, {
          namespace: ns, namespaceWide: true, istioVersion: this.version, rootNamespace: this.root,
          reason: `mTLS migration: plaintext accepted until stage ${this.stages[k + 1].folder} makes this namespace STRICT`,
        });
      }
    });
    if (props.loadTest) this.loadTestJob(chart, props.loadTest, stage.folder);
    return app;
  }

  private loadTestJob(chart: Chart, lt: LoadTestOptions, stage: string): void {
    const duration = lt.duration ?? Duration.minutes(10);
    const job = new Job(chart, 'LoadTest', {
      metadata: { name: `mtls-load-test-${stage}`.slice(0, 63).replace(/-+$/, ''), namespace: lt.namespace, labels: MANAGED_BY },
      backoffLimit: 0,
      activeDeadline: Duration.seconds(duration.toSeconds() + 120),
      podMetadata: { annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' } },
      containers: [{
        name: 'load-test',
        image: lt.image ?? 'curlimages/curl:8.11.1',
        command: ['sh', '-c', LOAD_TEST_SCRIPT],
        envVariables: {
          URL: EnvValue.fromValue(lt.url),
          DURATION_SECONDS: EnvValue.fromValue(String(Math.round(duration.toSeconds()))),
          MIN_SUCCESS_PER_MILLE: EnvValue.fromValue(String(Math.round((lt.minSuccessRatio ?? 0.999) * 1000))),
        },
        // curlimages/curl runs as curl_user (uid 100); a numeric user lets runAsNonRoot be verified.
        securityContext: { user: 100, group: 101 },
        resources: {
          cpu: { request: Cpu.millis(50), limit: Cpu.millis(200) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
        },
      }],
    });
    void job;
  }

  /**
   * Writes every stage folder and MIGRATION.md, replacing the previous plan's files (and only those). Each stage is
   * assembled from the first and the last stage's documents and written before the next, so memory stays that of one
   * stage; the files land all at once (renamed into place after the last stage), or none when a stage fails.
   */
  public synth(): void {
    writeOutputTree(this.outdir, this.renderedFiles());
  }

  private *renderedFiles(): Generator<GeneratedFile> {
    const { permissive, strict, path } = this.docs;
    for (const stage of this.stages) {
      const k = stage.strict.length;
      const docs = [...strict.slice(0, k), ...permissive.slice(k)];
      if (this.props.loadTest) docs.push(this.loadTestDocument(this.props.loadTest, stage.folder));
      yield { path: `${stage.folder}/${path}`, content: manifestYaml(...docs) };
    }
    yield { path: 'MIGRATION.md', content: this.renderPlan() };
  }

  /** The stage's load-test Job alone, from the same construct path as in `stageApp()`. */
  private loadTestDocument(lt: LoadTestOptions, folder: string): unknown {
    const chart = new Chart(new App(), CHART_ID);
    this.loadTestJob(chart, lt, folder);
    return chart.toJson()[0];
  }

  /** MIGRATION.md: the stages in order and what to check before each next one. */
  public renderPlan(): string {
    const lt = this.props.loadTest;
    return [
      '# PERMISSIVE → STRICT migration (generated by istio-custom-ca)',
      '',
      'Apply each folder as one GitOps commit, in order.',
      '',
      ...this.stages.map((s, i) => `${i + 1}. \`${s.folder}/\`: ${s.strict.length ? `STRICT in ${s.strict.join(', ')}` : 'every namespace explicitly PERMISSIVE'}`),
      '',
      lt
        ? `During each stage the Job \`mtls-load-test-<stage>\` in \`${lt.namespace}\` calls ${lt.url} for ${humanDuration((lt.duration ?? Duration.minutes(10)).toMilliseconds())} ` +
          `and fails below a ${((lt.minSuccessRatio ?? 0.999) * 100).toFixed(1)}% success ratio. Move on only when it succeeded; on failure, revert the stage's commit.`
        : 'Check that clients of each namespace keep working before moving on; revert the stage\'s commit on failures.',
      '',
      'PeerAuthentication changes propagate to proxies over xDS within seconds, but not atomically: expect a short window of',
      'transient failures while a STRICT policy propagates, so keep retries on in clients (istio/istio#48290).',
      '',
    ].join('\n');
  }
}
