/**
 * Which documents deploy together. Cross-file rules only pair documents of one context: a declared context
 * (`--context DIR`, or `contexts:` in the config), else the nearest folder with a kustomization, else the file's own
 * folder (a MeshApp output folder counts as one). Also the chart a values file belongs to (a Chart.yaml beside it, or the config).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OUTPUT_RECORD } from '../output-tree';
import { ContextDecl } from './lint-config';
import { isObject } from './lint-document';

const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A context: its name and the namespace kustomize gives objects without one. */
export interface ContextInfo {
  readonly name: string;
  readonly namespace?: string;
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'), { logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

/** Resolves contexts and charts for files, caching per folder (one lookup per folder, not per file). */
export class ContextResolver {
  private readonly byDir = new Map<string, ContextInfo & { kustomized?: boolean }>();
  private readonly chartByDir = new Map<string, string | undefined>();
  private readonly declared: { name: string; path: string }[];

  /**
   * @param roots the folders being linted: the search for a kustomization stops at them
   * @param declared declared contexts (the longest matching path wins)
   * @param charts declared charts of values files, by absolute path
   */
  public constructor(private readonly roots: readonly string[], declared: readonly ContextDecl[], private readonly charts: ReadonlyMap<string, string> = new Map()) {
    this.declared = declared.flatMap((d) => d.paths.map((p) => ({ name: d.name, path: resolve(p) }))).sort((a, b) => b.path.length - a.path.length);
  }

  /** The context of a file. */
  public contextOf(file: string): ContextInfo {
    const abs = resolve(file);
    const d = this.declared.find((c) => abs === c.path || abs.startsWith(c.path + sep));
    if (d) return { name: d.name };
    return this.dirContext(dirname(abs));
  }

  /** A folder's context: the nearest kustomization at or above it (up to the linted root), else the folder itself. */
  private dirContext(dir: string): ContextInfo & { kustomized?: boolean } {
    const cached = this.byDir.get(dir);
    if (cached) return cached;
    let info: ContextInfo & { kustomized?: boolean } | undefined;
    const k = KUSTOMIZATIONS.map((n) => `${dir}${sep}${n}`).find((f) => existsSync(f));
    if (!k && existsSync(`${dir}${sep}${OUTPUT_RECORD}`)) {
      info = { name: dir, kustomized: true }; // a MeshApp output folder: manifests, install and terraform deploy together
    } else if (k) {
      const y = readYaml(k);
      info = { name: dir, kustomized: true, namespace: isObject(y) && typeof y.namespace === 'string' ? y.namespace : undefined };
    } else {
      const parent = dirname(dir);
      const stop = parent === dir || this.roots.some((r) => resolve(r) === dir);
      const up = stop ? undefined : this.dirContext(parent);
      info = up?.kustomized ? up : { name: dir };
    }
    this.byDir.set(dir, info);
    return info;
  }

  /** The chart whose values `file` holds: declared in the config, or a Chart.yaml beside a values*.yaml. */
  public chartOf(file: string): string | undefined {
    const abs = resolve(file);
    const declared = this.charts.get(abs);
    if (declared) return declared;
    if (!/^values[^/]*\.ya?ml$/.test(basename(abs))) return undefined;
    const dir = dirname(abs);
    if (!this.chartByDir.has(dir)) {
      const y = existsSync(`${dir}${sep}Chart.yaml`) ? readYaml(`${dir}${sep}Chart.yaml`) : undefined;
      this.chartByDir.set(dir, isObject(y) && typeof y.name === 'string' ? y.name : undefined);
    }
    return this.chartByDir.get(dir);
  }
}
