import { relative, resolve, sep } from 'node:path';
import { TerraformStack } from 'cdktf';
import { GeneratedFile, isWithin } from '../output-tree';

/** Prints cdktf warning annotations (as `cdktf synth` would) and fails on error annotations. */
function reportAnnotations(stack: TerraformStack): void {
  for (const c of stack.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === '@cdktf/warn') process.stderr.write(`[Warning at ${c.node.path}] ${String(m.data)}\n`);
      if (m.type === '@cdktf/error') throw new Error(`${c.node.path}: ${String(m.data)}`);
    }
  }
}

/**
 * The local backend's state path, relative to `<outdir>/terraform/<id>/` (as Terraform reads it), outside the output
 * folder. Paths are computed from resolved folders, so the string does not depend on the working directory.
 */
export function localStatePath(who: string, outdir: string, stateDir: string, id: string, given: string | undefined): string {
  const tfDir = resolve(outdir, 'terraform', id);
  const state = given !== undefined ? resolve(tfDir, given) : resolve(stateDir, id, 'terraform.tfstate');
  if (isWithin(outdir, state)) {
    throw new Error(`${who}: 'localStatePath' (${given}) lies inside the output folder (${outdir}), which cdk8s synth deletes ` +
      'with the state in it; give a path outside it, or a remote backend');
  }
  return relative(tfDir, state).split(sep).join('/');
}

/** The stack as plain Terraform JSON in `terraform/<id>/`, with a .gitignore that keeps state and caches out of Git. */
export function stackFiles(stack: TerraformStack, id: string): GeneratedFile[] {
  stack.prepareStack();
  stack.runAllValidations();
  reportAnnotations(stack);
  return [
    { path: `terraform/${id}/cdk.tf.json`, content: `${JSON.stringify(stack.toTerraform(), undefined, 2)}\n` },
    { path: `terraform/${id}/.gitignore`, content: '.terraform/\n*.tfstate\n*.tfstate.*\n' },
  ];
}
