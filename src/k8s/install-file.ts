import { Construct } from 'constructs';

/**
 * A file of Istio install configuration (IstioOperator, Helm values) that `MeshApp` writes to
 * `<outdir>/install/`. It is not a cluster object, so it never lands among the manifests GitOps applies.
 */
export class InstallFile extends Construct {
  /** Is `x` an InstallFile (also across duplicated copies of the library)? */
  public static isInstallFile(x: unknown): x is InstallFile {
    return typeof x === 'object' && x !== null && (x as any)[MARKER] === true;
  }

  /** File name inside `install/`. */
  public readonly fileName: string;
  /** One line that says what the file is for, written as a YAML comment at its top. */
  public readonly description: string;
  private readonly produce: () => unknown;

  public constructor(scope: Construct, id: string, fileName: string, description: string, produce: () => unknown) {
    super(scope, id);
    Object.defineProperty(this, MARKER, { value: true });
    this.fileName = fileName;
    this.description = description;
    this.produce = produce;
  }

  /** The document to write. */
  public toJson(): unknown {
    return this.produce();
  }
}

const MARKER = Symbol.for('istio-custom-ca.InstallFile');
