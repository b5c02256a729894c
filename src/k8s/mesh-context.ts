import { Construct } from 'constructs';

/** The meshes of each app, registered by `IstioCustomCa` itself (a lookup must not walk the whole tree per construct). */
const MESHES = new WeakMap<Construct, MeshFacts[]>();

/** Registers an `IstioCustomCa` with its app (called by its constructor; siblings must not import it). */
export function registerMesh(mesh: MeshFacts & Construct): void {
  const app = rootOf(mesh);
  MESHES.set(app, [...(MESHES.get(app) ?? []), mesh]);
}

function rootOf(scope: Construct): Construct {
  let c: Construct = scope;
  while (c.node.scope) c = c.node.scope;
  return c;
}

/** What sibling constructs take from the mesh they belong to. */
export interface MeshFacts {
  readonly istioVersion: string;
  readonly trustDomain: string;
  readonly node: Construct['node'];
}

/**
 * The mesh (`IstioCustomCa`) of `scope`'s app, when there is exactly one: sibling constructs take its Istio version and
 * trust domain instead of defaulting to 1.30 and cluster.local. Undefined when the app has none or several.
 */
export function meshOf(scope: Construct): MeshFacts | undefined {
  const meshes = MESHES.get(rootOf(scope)) ?? [];
  return meshes.length === 1 ? meshes[0] : undefined;
}

/**
 * A sibling's value for a mesh fact: the prop when given (it must agree with the mesh), else the mesh's, else the
 * default. Returns the problem text when they disagree.
 */
export function meshValue(scope: Construct, prop: 'istioVersion' | 'trustDomain', given: string | undefined, fallback: string):
{ value: string; problem?: string } {
  const mesh = meshOf(scope);
  if (given === undefined) return { value: mesh ? mesh[prop] : fallback };
  if (mesh && mesh[prop] !== given) {
    return {
      value: given,
      problem: `'${prop}' (${given}) differs from ${prop} ${mesh[prop]} of the mesh's IstioCustomCa (${mesh.node.path}); ` +
        `remove it to follow the mesh, or make both the same`,
    };
  }
  return { value: given };
}

/**
 * A validation for a sibling that chose `used` before the mesh existed (built before the IstioCustomCa): at synth the
 * mesh must agree, or the sibling was rendered for the wrong version or trust domain.
 */
export function agreesWithMeshLater(scope: Construct, construct: string, prop: 'istioVersion' | 'trustDomain', used: string): void {
  if (meshOf(scope)) return; // the value came from the mesh already
  scope.node.addValidation({
    validate: () => {
      const mesh = meshOf(scope);
      return mesh && mesh[prop] !== used
        ? [`${construct} (${scope.node.path}) was built for ${prop} ${used}, but the mesh's IstioCustomCa (${mesh.node.path}) has ` +
          `${mesh[prop]}; create the IstioCustomCa first, or pass ${prop}`]
        : [];
    },
  });
}
