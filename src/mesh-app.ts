import { join } from 'node:path';
import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { manifestYaml } from './k8s/manifest-yaml';
import { MESH_APP_MARKER, OutputFile, OutputFolder } from './k8s/output-file';
import { defaultTerraformStateDir, GeneratedFile, isWithin, writeOutputTree } from './output-tree';

/** Something else `MeshApp` writes below its output folder, such as the Terraform of the Vault half. */
export interface IOutputWriter {
  /** The files to write, by path relative to the output root (`terraform/<id>/cdk.tf.json`). */
  files(): GeneratedFile[];
}

/** Props of `MeshApp`. */
export interface MeshAppProps {
  /**
   * Root output folder. Manifests go to `<outdir>/manifests`, Istio install config to `<outdir>/install`.
   * @default - $CDK8S_OUTDIR (set by `cdk8s synth`), else 'dist'
   */
  readonly outdir?: string;
  /**
   * Folder of the default local Terraform state, outside the output folder: `cdk8s synth` deletes the whole output
   * folder before it runs the app (cdk8s-cli synth.js), and a state file must never be lost with it. Add it to your
   * .gitignore, or use a remote backend (`MeshPki` `useDefaultBackend: false`).
   * @default - `.istio-custom-ca-state` beside the output folder
   */
  readonly terraformStateDir?: string;
}

/** A rendered install file. */
export interface RenderedFile {
  readonly fileName: string;
  readonly content: string;
}

/**
 * A cdk8s `App` that keeps its outputs apart, so that GitOps applies only `manifests/`:
 * - `<outdir>/manifests/<chart>.k8s.yaml`: cluster objects only, one multi-document file per chart;
 * - `<outdir>/install/`: Istio install configuration (IstioOperator file, Helm values, notes), never applied by GitOps;
 * - `<outdir>/alerts/`: plain Prometheus rule files and promtool unit tests;
 * - `<outdir>/terraform/<stack>/cdk.tf.json`: Terraform JSON, written by registered writers (`MeshPki`).
 * A second synth of the same program is byte-identical.
 */
export class MeshApp extends App {
  /** The root output folder. */
  public readonly rootOutdir: string;
  /** Where the default local Terraform state lives (outside `rootOutdir`). */
  public readonly terraformStateDir: string;
  private readonly writers: IOutputWriter[] = [];

  public constructor(props: MeshAppProps = {}) {
    const root = props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist';
    super({ outdir: join(root, 'manifests'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    Object.defineProperty(this, MESH_APP_MARKER, { value: true });
    this.rootOutdir = root;
    this.terraformStateDir = props.terraformStateDir ?? defaultTerraformStateDir(root);
    if (isWithin(root, this.terraformStateDir)) {
      throw new Error(`MeshApp: 'terraformStateDir' (${this.terraformStateDir}) lies inside the output folder (${root}), which cdk8s synth ` +
        'deletes; put the state beside it');
    }
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
    return this.renderFolder(folder, this.node.findAll());
  }

  /** The files of one output folder among `all` (the app's constructs, walked once per synth). */
  private renderFolder(folder: OutputFolder, all: IConstruct[]): RenderedFile[] {
    const files = (all.filter(OutputFile.isOutputFile) as OutputFile[]).filter((f) => f.folder === folder);
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

  /**
   * Renders everything in memory first (manifests, install and alert files, registered outputs), refuses duplicate
   * objects, then writes all files at once (`writeOutputTree`): nothing is written when anything fails, and only
   * files a previous synth wrote are ever removed, so Terraform state and your own files stay.
   */
  public synth(): void {
    writeOutputTree(this.rootOutdir, this.renderOutput());
  }

  /** Every file `synth()` writes, rendered in memory, by path relative to the output root. */
  public renderOutput(): GeneratedFile[] {
    const charts = this.charts;
    const docs = charts.map((c) => c.toJson());
    const all = this.node.findAll();
    this.checkNoDuplicateObjects(all);
    // cdk8s' own file names: the chart's DNS label, indexed when charts depend on each other (cdk8s app.ts).
    const indexed = charts.some((c) => c.node.dependencies.some((d) => d instanceof Chart));
    const files: GeneratedFile[] = charts.map((c, i) => ({
      path: `manifests/${indexed ? `${String(i).padStart(4, '0')}-` : ''}${Names.toDnsLabel(c)}.k8s.yaml`,
      content: manifestYaml(...docs[i]),
    }));
    for (const folder of Object.values(OutputFolder)) {
      for (const f of this.renderFolder(folder, all)) files.push({ path: `${folder}/${f.fileName}`, content: f.content });
    }
    for (const w of this.writers) files.push(...w.files());
    return files;
  }

  /**
   * Two objects with the same group, kind, namespace and name would be one object in the cluster; kustomize and
   * Argo CD reject such a set, so synth refuses it, naming both constructs.
   */
  private checkNoDuplicateObjects(all: IConstruct[]): void {
    const byKey = new Map<string, ApiObject>();
    for (const o of all.filter(ApiObject.isApiObject) as ApiObject[]) {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : 'core';
      const ns = o.metadata.namespace ?? '';
      const key = `${group}|${o.kind}|${ns}|${o.name}`;
      const other = byKey.get(key);
      if (other) {
        throw new Error(`MeshApp: ${o.kind} ${ns ? `${ns}/` : ''}${o.name} (${group}) is defined twice, by ${other.node.path} and ` +
          `${o.node.path}; kustomize and Argo CD reject duplicate objects; give one of them another name or namespace`);
      }
      byKey.set(key, o);
    }
  }
}
