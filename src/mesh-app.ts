import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { OutputFile, OutputFolder } from './k8s/output-file';

/** Something else `MeshApp` writes below its output folder, such as the Terraform of the Vault half. */
export interface IOutputWriter {
  /** Writes below `outdir`, deleting its own previous output first. */
  write(outdir: string): void;
}

/** Props of `MeshApp`. */
export interface MeshAppProps {
  /**
   * Root output folder. Manifests go to `<outdir>/manifests`, Istio install config to `<outdir>/install`.
   * @default - $CDK8S_OUTDIR (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
}

/** A rendered install file. */
export interface RenderedFile {
  readonly fileName: string;
  readonly content: string;
}

/**
 * A cdk8s `App` that keeps its outputs apart (DEVELOPERS.md):
 * - `<outdir>/manifests/<chart>.k8s.yaml`: cluster objects only, one multi-document file per chart;
 * - `<outdir>/install/`: Istio install configuration (IstioOperator file, Helm values, notes), never applied by GitOps;
 * - `<outdir>/alerts/`: plain Prometheus rule files and promtool unit tests;
 * - `<outdir>/terraform/<stack>/cdk.tf.json`: Terraform JSON, written by registered writers (`MeshPki`).
 * A second synth of the same program is byte-identical.
 */
export class MeshApp extends App {
  /** The root output folder. */
  public readonly rootOutdir: string;
  private readonly writers: IOutputWriter[] = [];

  public constructor(props: MeshAppProps = {}) {
    const root = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    super({ outdir: join(root, 'manifests'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    this.rootOutdir = root;
  }

  /** Adds a writer that runs after the manifests and install files are written. */
  public addOutputWriter(writer: IOutputWriter): void {
    this.writers.push(writer);
  }

  /** The install files of every construct in the app, rendered, by file name. */
  public renderInstallFiles(): RenderedFile[] {
    return this.renderFiles(OutputFolder.INSTALL);
  }

  /** The files of one output folder, rendered, by file name. */
  public renderFiles(folder: OutputFolder): RenderedFile[] {
    const files = (this.node.findAll().filter(OutputFile.isOutputFile) as OutputFile[]).filter((f) => f.folder === folder);
    const byName = new Map<string, OutputFile>();
    for (const f of files) {
      const other = byName.get(f.fileName);
      if (other) {
        throw new Error(`MeshApp: ${folder} file '${f.fileName}' is produced by both ${other.node.path} and ` +
          `${f.node.path}; use one IstioCustomCa per MeshApp (one per Istio control plane) and unique names`);
      }
      byName.set(f.fileName, f);
    }
    return [...byName.values()]
      .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0))
      .map((f) => ({ fileName: f.fileName, content: f.render() }));
  }

  /** Writes manifests, install files and registered outputs, replacing their previous content. */
  public synth(): void {
    const folders = Object.values(OutputFolder);
    for (const dir of [this.outdir, join(this.rootOutdir, 'terraform'), ...folders.map((f) => join(this.rootOutdir, f))]) {
      rmSync(dir, { recursive: true, force: true });
    }
    super.synth();
    for (const folder of folders) {
      const files = this.renderFiles(folder);
      const dir = join(this.rootOutdir, folder);
      if (files.length > 0) mkdirSync(dir, { recursive: true });
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.fileName)), { recursive: true });
        writeFileSync(join(dir, f.fileName), f.content);
      }
    }
    for (const w of this.writers) w.write(this.rootOutdir);
  }
}
