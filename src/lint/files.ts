/**
 * Finding and reading the files to lint without letting one bad file stop the run: symlink loops, links that leave
 * the tree or lead nowhere, FIFOs and devices, oversized, binary and UTF-16 files each become one problem that names
 * the file, and every other file is still read.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { isWithin } from '../output-tree';

/** A file that could not be linted, and why. */
export interface FileProblem {
  readonly file: string;
  readonly message: string;
}

/** Files to lint and the ones that cannot be. */
export interface CollectedFiles {
  readonly files: string[];
  /** Terraform HCL files (`.tf`): read through terraform-hcl.ts, never as YAML. */
  readonly hcl: string[];
  readonly problems: FileProblem[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
// HCL is not YAML (parsing it as YAML gives false parse errors): `.tf` files are collected apart.
const HCL_EXTENSION = '.tf';
/** Larger files are configuration nobody writes by hand (generated bundles, dumps); they are reported, not read. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Files below the given files or folders, sorted: YAML and JSON (Terraform as `.tf.json`), and Terraform HCL apart. Hidden entries and node_modules are
 * skipped; `ignored(path)` skips more. A symlink is followed only when it stays inside the folder it was found in.
 */
export function collectFiles(paths: readonly string[], ignored: (path: string) => boolean = () => false): CollectedFiles {
  const files: string[] = [];
  const hcl: string[] = [];
  const problems: FileProblem[] = [];
  const seenDirs = new Set<string>();
  const walk = (p: string, root: string, explicit: boolean) => {
    if (!explicit && ignored(p)) return;
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      problems.push({ file: p, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      return;
    }
    let real = resolve(p);
    if (st.isSymbolicLink()) {
      try {
        real = realpathSync(p);
        st = statSync(p);
      } catch {
        problems.push({ file: p, message: 'is a symbolic link that leads nowhere (broken link)' });
        return;
      }
      if (!isWithin(root, real)) {
        problems.push({ file: p, message: `is a symbolic link to ${real}, outside the folder being linted; it is not followed` });
        return;
      }
    }
    if (st.isDirectory()) {
      if (seenDirs.has(real)) {
        if (!explicit) problems.push({ file: p, message: 'is a folder already linted through another path (symbolic link loop); skipped' });
        return;
      }
      seenDirs.add(real);
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        problems.push({ file: p, message: `cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
        return;
      }
      for (const name of names) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        walk(join(p, name), root, false);
      }
      return;
    }
    const ext = extname(p).toLowerCase();
    if (!explicit && !EXTENSIONS.has(ext) && ext !== HCL_EXTENSION) return;
    if (!st.isFile()) {
      problems.push({ file: p, message: 'is not a regular file (a FIFO, socket or device); it is not read' });
      return;
    }
    if (st.size > MAX_FILE_BYTES) {
      problems.push({ file: p, message: `is ${Math.round(st.size / 1024 / 1024)} MiB, above the ${MAX_FILE_BYTES / 1024 / 1024} MiB the linter reads; lint it on its own or exclude it` });
      return;
    }
    (ext === HCL_EXTENSION ? hcl : files).push(p);
  };
  for (const p of paths) {
    const root = (() => {
      try {
        return realpathSync(p);
      } catch {
        return resolve(p);
      }
    })();
    walk(p, statSafeIsDir(p) ? root : resolve(root, '..'), true);
  }
  return { files, hcl, problems };
}

function statSafeIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The text of a file, or the reason it is not text the linter reads (binary, UTF-16, too large). */
export function readText(file: string): { text?: string; problem?: string } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    // One byte more than the size found: a file that grows while read (or a device behind it) fills it and is refused.
    const buf = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, MAX_FILE_BYTES) + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length;) {
      got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
    }
    if (n === buf.length) return { problem: 'changed size while being read (or is not a regular file); it is not linted' };
    const bytes = buf.subarray(0, n);
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      return { problem: 'is UTF-16 text; Kubernetes, Helm and kustomize read UTF-8 YAML: convert it (iconv -f UTF-16 -t UTF-8)' };
    }
    if (bytes.subarray(0, 8192).includes(0)) return { problem: 'is binary (it contains NUL bytes), not YAML or JSON' };
    const text = bytes.toString('utf8');
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (e) {
    return { problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
