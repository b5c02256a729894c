/**
 * Writes a set of generated files under an output root, all or nothing, and never deletes what the library did not
 * write: a record file (`.istio-custom-ca-files.json`) lists what the previous run wrote, and only those files are
 * removed when they are no longer produced. Terraform state, lock files and anything else you or a tool put there
 * stay. Every path is checked to stay inside the root.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';

/** One generated file, by path relative to the output root (`/`-separated). */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** True when `path` is `folder` itself or lies below it (both resolved against the working directory). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where the default local Terraform state of an output root lives: `.istio-custom-ca-state` beside it, outside the
 * folder that `cdk8s synth` deletes. Plans pass the root of the main output so that every phase shares its state.
 */
export function defaultTerraformStateDir(outputRoot: string): string {
  return join(dirname(resolve(outputRoot)), '.istio-custom-ca-state');
}

/** The record of what the library wrote, kept in the output root. */
export const OUTPUT_RECORD = '.istio-custom-ca-files.json';

/** The record's content for these files (relative paths). */
export function outputRecord(files: readonly string[]): string {
  return `${JSON.stringify({ generator: 'istio-custom-ca', files: [...files].sort() }, undefined, 2)}\n`;
}

/**
 * One output root's files placed in `folder` of a bigger tree, with its own record: the linter takes a folder with
 * a record as one context (documents that deploy together), e.g. one cluster of a fleet.
 */
export function nestedOutput(folder: string, files: readonly GeneratedFile[]): GeneratedFile[] {
  return [
    ...files.map((f) => ({ path: `${folder}/${f.path}`, content: f.content })),
    { path: `${folder}/${OUTPUT_RECORD}`, content: outputRecord(files.map((f) => f.path)) },
  ];
}

/** A path segment the library may write: letters, digits, `.`, `_`, `-`; not `.`/`..`; at most 255 bytes. */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Problem text when `path` could leave the output root or is not a plain relative path, else undefined. */
export function outputPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return `output path (${String(path)}) must not be empty`;
  if (isAbsolute(path) || path.includes('\\') || path.includes('\0')) return `output path (${JSON.stringify(path)}) must be a relative path without '\\' or NUL`;
  for (const s of path.split('/')) {
    if (s === '.' || s === '..' || !SEGMENT.test(s) || Buffer.byteLength(s) > 255) {
      return `output path (${JSON.stringify(path)}) has segment ${JSON.stringify(s)}; use letters, digits, '.', '_' and '-' ` +
        '(at most 255 bytes, never . or ..), so that no file can land outside the output folder';
    }
  }
  return undefined;
}

function readRecord(root: string): string[] {
  const file = join(root, OUTPUT_RECORD);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(parsed.files) ? parsed.files.filter((p: unknown) => typeof p === 'string' && outputPathProblem(p) === undefined) : [];
  } catch {
    return [];
  }
}

/** Removes now-empty folders between `file`'s folder and the root (never the root, never a non-empty folder). */
function pruneEmpty(root: string, file: string): void {
  let dir = dirname(file);
  while (dir !== root && dir.startsWith(root + sep)) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

/** `first` and every folder below it down to `last` (mkdirSync's recursive result to the folder asked for), top first. */
function foldersFrom(first: string, last: string): string[] {
  const chain: string[] = [];
  for (let d = last; ; d = dirname(d)) {
    chain.unshift(d);
    if (d === first || dirname(d) === d) return chain;
  }
}

/**
 * Writes `files` under `root`: every file first as a temporary sibling, then renamed into place; a failure before
 * the renames (a bad path, or the iterable throwing while it produces a later file) removes the temporaries and
 * leaves the previous output untouched. Files the previous run wrote that are not produced now are removed; nothing
 * else is. The files are consumed one by one, so a generator keeps only what it is producing in memory.
 */
export function writeOutputTree(root: string, files: Iterable<GeneratedFile>): void {
  const seen = new Set<string>();
  const absRoot = normalize(root);
  const tmpSuffix = `.istio-custom-ca-tmp-${process.pid}`;
  const staged: [string, string][] = [];
  // Folders this run created, deepest last: on failure only these are removed again (when empty), never one that was there.
  const created: string[] = [];
  try {
    for (const f of files) {
      const problem = outputPathProblem(f.path);
      if (problem) throw new Error(`MeshApp: ${problem}`);
      if (seen.has(f.path)) throw new Error(`MeshApp: output path ${f.path} is produced twice; give each construct a unique id and name`);
      seen.add(f.path);
      const target = join(absRoot, ...f.path.split('/'));
      const first = mkdirSync(dirname(target), { recursive: true });
      if (first !== undefined) created.push(...foldersFrom(first, dirname(target)));
      writeFileSync(target + tmpSuffix, f.content);
      staged.push([target + tmpSuffix, target]);
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    for (const dir of created.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty: something else is in it
      }
    }
    throw e;
  }
  for (const [tmp, target] of staged) renameSync(tmp, target);
  for (const old of readRecord(absRoot)) {
    if (seen.has(old)) continue;
    const file = join(absRoot, ...old.split('/'));
    rmSync(file, { force: true });
    pruneEmpty(absRoot, file);
  }
  writeFileSync(join(absRoot, OUTPUT_RECORD), outputRecord([...seen]));
}
