/**
 * Rotation drill: real mutual-TLS handshakes on 127.0.0.1 between simulated workloads while a root rotation plan
 * walks its phases on a scaled clock. Leaves rotate per SECRET_TTL and the grace ratio (with jitter); trust
 * bundles change as the plan says (PCDS push, or at each proxy's next certificate fetch). Bounded: loopback only,
 * a fixed number of ticks, a real-time limit, and every socket and server is closed at the end.
 */
import { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { humanDuration } from '../src/model/durations';
import { PCDS_PROPAGATION_MS, ROTATION_PHASES, RotationWaits } from '../src/model/rotation';
import { RootCaRotation } from '../src/root-ca-rotation';
import { AdoptEnterpriseCa } from '../src/adopt-enterprise-ca';
import { FleetRootRotation } from '../src/fleet-root-rotation';
import { ObservedPhase } from '../src/rotation-evidence';
import { intermediate, Issued, leaf, root } from './pki';

/** A plan: the CA's state in each phase and how long the phase runs on the simulated clock. */
export interface DrillPhase {
  readonly name: string;
  /** Root the CA issues under. */
  readonly issueFrom: 'A' | 'B';
  /** Roots the CA hands out (in certificate responses, and over PCDS). */
  readonly trust: readonly ('A' | 'B')[];
  readonly durationMs: number;
  /** Trust changes are pushed over PCDS in this phase (default: the drill's `pcds`). */
  readonly pcds?: boolean;
}

/** Drill settings. */
export interface DrillOptions {
  readonly workloads: number;
  readonly workloadCertTtlMs: number;
  readonly gracePeriodRatio: number;
  readonly jitter: number;
  /** Trust-bundle changes are pushed to proxies (ISTIO_MULTIROOT_MESH + PROXY_CONFIG_XDS_AGENT), each after its own delay. */
  readonly pcds: boolean;
  /**
   * Longest simulated time a PCDS push takes to reach a proxy; each proxy gets it after a random share of it.
   * A model, not an upstream figure: a quarter of the hour the plans wait (PCDS_PROPAGATION_MS).
   * @default PCDS_PROPAGATION_MS / 4
   */
  readonly pcdsDelayMs?: number;
  readonly phases: readonly DrillPhase[];
  /** Simulated time per tick; at most workloadCertTtlMs / 24, so that no rotation falls between two looks. */
  readonly tickMs: number;
  /** The mesh's trust domain: every peer's SPIFFE ID must be in it. @default 'cluster.local' */
  readonly trustDomain?: string;
  /** Workloads whose certificates name another trust domain (signed by the same CA): their peers must refuse them. @default 0 */
  readonly foreignWorkloads?: number;
  /** Seed of the jitter and stagger. */
  readonly seed?: number;
  /** Abort after this much real time. */
  readonly realTimeLimitMs?: number;
  readonly log?: (line: string) => void;
}

/** A cluster's CA in one phase of a fleet drill. */
export interface DrillCaState {
  readonly issueFrom: 'A' | 'B';
  readonly trust: readonly ('A' | 'B')[];
  /** Trust changes are pushed over PCDS in this cluster (default: the drill's `pcds`). */
  readonly pcds?: boolean;
}

/** One phase of a fleet drill: each cluster's CA (in the order of `clusters`), and how long the phase runs. */
export interface FleetDrillPhase {
  readonly name: string;
  readonly clusters: readonly DrillCaState[];
  readonly durationMs: number;
}

/** A cluster of a fleet drill. */
export interface DrillCluster {
  readonly name: string;
  /** Its workload lifetime (default: the drill's `workloadCertTtlMs`). */
  readonly workloadCertTtlMs?: number;
}

/**
 * A fleet drill: `workloads` per cluster, each cluster with its own intermediates under roots A and B and its own
 * CA state per phase. Clients in each cluster call servers in every other cluster.
 */
export interface FleetDrillOptions extends Omit<DrillOptions, 'phases'> {
  readonly clusters: readonly DrillCluster[];
  readonly phases: readonly FleetDrillPhase[];
}

/** Handshakes of one phase. */
export interface PhaseResult {
  readonly phase: string;
  readonly attempted: number;
  /** Handshakes a side refused (chain or SPIFFE identity). */
  readonly failed: number;
  /** Handshakes that did not finish in time even after retries: neither a pass nor a rejection (a loaded machine). */
  readonly timeouts: number;
  /** At the phase's end: workloads whose leaf chains to the old root A, and workloads that still trust A. */
  readonly leavesFromA: number;
  readonly trustingA: number;
  readonly simulatedMs: number;
  readonly realMs: number;
}

/** The library's staged plan (docs/reference.md §6) with the computed waits; phase 3 runs one lifetime more. */
export function stagedPlan(waits: RotationWaits, workloadCertTtlMs: number): DrillPhase[] {
  return [
    { name: ROTATION_PHASES[0].folder, issueFrom: 'A', trust: ['A', 'B'], durationMs: waits.afterTrustBothMs },
    { name: ROTATION_PHASES[1].folder, issueFrom: 'B', trust: ['A', 'B'], durationMs: waits.afterIssueFromNewMs },
    { name: ROTATION_PHASES[2].folder, issueFrom: 'B', trust: ['B'], durationMs: workloadCertTtlMs },
  ];
}

/**
 * The phases a `RootCaRotation`'s generated files configure (read back from the files: `rotation._observation`), with
 * its computed waits; phase 3 runs one lifetime more. A phase whose files switch the signer without the istiod
 * restart it needs is followed by the restart that comes later anyway (a node drain, an upgrade).
 */
export function planFromRotation(rotation: RootCaRotation | AdoptEnterpriseCa): DrillPhase[] {
  const ttl = Math.max(...rotation.cas.map((c) => c.workloadCertTtl.toMilliseconds()));
  return planFromObserved(rotation._observation.phases, rotation.waits, ttl);
}

/** Drill phases from observed phases (see `planFromRotation`). */
export function planFromObserved(observed: readonly ObservedPhase[], waits: RotationWaits, ttlMs: number): DrillPhase[] {
  const durations = [waits.afterTrustBothMs, waits.afterIssueFromNewMs, ttlMs];
  const known = (p: { issueFrom?: string; trust?: string[] }, where: string) => {
    if (p.issueFrom !== 'A' && p.issueFrom !== 'B') throw new Error(`${where}: the generated files do not show which root signs (${p.issueFrom})`);
    if (!p.trust || p.trust.some((r) => r !== 'A' && r !== 'B')) throw new Error(`${where}: the generated files do not show the trusted roots (${p.trust})`);
    return { issueFrom: p.issueFrom as 'A' | 'B', trust: p.trust as ('A' | 'B')[] };
  };
  const phases: DrillPhase[] = observed.map((p, i) => ({ name: p.folder, ...known(p, p.folder), durationMs: durations[i], pcds: p.pcds }));
  const last = observed[observed.length - 1];
  if (last?.afterRestart) {
    phases.push({ name: 'istiod-restarts-later', ...known(last.afterRestart, 'after the istiod restart'), durationMs: ttlMs, pcds: last.pcds });
  }
  return phases;
}

/**
 * The steps a `FleetRootRotation`'s generated files configure in each cluster (read back from the files), with the
 * plan's waits; the last step runs one lifetime more.
 */
export function planFromFleetRotation(rotation: FleetRootRotation): FleetDrillPhase[] {
  const ttl = Math.max(...rotation.clusters.flatMap((c) => c.cas.map((ca) => ca.workloadCertTtl.toMilliseconds())));
  return rotation._stepStates().map((states, k) => ({
    name: rotation.steps[k].folder,
    durationMs: rotation.steps[k].minWaitAfterMs || ttl,
    clusters: states.map((s) => ({ issueFrom: s.issueFrom as 'A' | 'B', trust: s.trust as ('A' | 'B')[], pcds: s.pcds })),
  }));
}

/** Each cluster's workload lifetime in a `FleetRootRotation`, for the drill. */
export function fleetDrillClusters(rotation: FleetRootRotation): DrillCluster[] {
  return rotation.clusters.map((c) => ({ name: c.name, workloadCertTtlMs: Math.max(...c.cas.map((ca) => ca.workloadCertTtl.toMilliseconds())) }));
}

/** The seed article's plan: swap the root in one step (edit the root ConfigMap, reissue from B). */
export function naivePlan(workloadCertTtlMs: number): DrillPhase[] {
  return [{ name: 'swap-root', issueFrom: 'B', trust: ['B'], durationMs: workloadCertTtlMs }];
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  readonly id: number;
  /** Index of its cluster, and its index in that cluster. */
  readonly cluster: number;
  readonly index: number;
  readonly trustDomain: string;
  cert?: Issued;
  /** The root the current leaf chains to. */
  root?: 'A' | 'B';
  chainPem: string;
  trust: ('A' | 'B')[];
  /** A PCDS push on its way to this proxy. */
  pending?: { trust: ('A' | 'B')[]; at: number };
  rotateAt: number;
  server?: tls.Server;
  port: number;
}

type Outcome = 'ok' | 'rejected' | 'timeout';

/** Real time a handshake may take before it counts as a timeout (retried), not as a rejection. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const HANDSHAKE_ATTEMPTS = 3;

/** The trust domain of a certificate's SPIFFE ID (its URI SAN), if any. */
function spiffeTrustDomain(subjectAltName: string | undefined): string | undefined {
  return /URI:spiffe:\/\/([^/,\s]+)\//.exec(subjectAltName ?? '')?.[1];
}

/** One handshake client→server: ok when both sides accepted the other's chain and SPIFFE identity. */
function handshakeOnce(client: Workload, server: Workload, roots: Record<'A' | 'B', Issued>, trustDomain: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(o);
    };
    const socket = tls.connect({
      host: '127.0.0.1', port: server.port,
      key: client.cert!.keyPem, cert: client.chainPem, ca: client.trust.map((r) => roots[r].certPem),
      // Istio checks the peer's SPIFFE identity (its trust domain), not a host name.
      checkServerIdentity: (_host, cert) => (spiffeTrustDomain(cert.subjectaltname) === trustDomain ? undefined
        : new Error(`peer identity ${cert.subjectaltname} is not in trust domain ${trustDomain}`)),
    });
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => finish('timeout'));
    // The server writes one byte only after it accepted the client's chain and identity (TLS 1.3 finishes the client side first).
    socket.on('data', () => finish('ok'));
    socket.on('error', () => finish('rejected'));
    socket.on('close', () => finish('rejected'));
  });
}

async function handshake(client: Workload, server: Workload, roots: Record<'A' | 'B', Issued>, trustDomain: string): Promise<Outcome> {
  let o: Outcome = 'timeout';
  for (let i = 0; i < HANDSHAKE_ATTEMPTS && (o = await handshakeOnce(client, server, roots, trustDomain)) === 'timeout'; i++);
  return o;
}

/**
 * What went wrong in a root change A → B, from the drill's results: failed handshakes per phase, and a rotation that
 * did not complete (leaves still from A, or A still trusted, when the last phase ends). Empty when all went well.
 */
export function drillVerdict(results: readonly PhaseResult[]): string[] {
  const out = results.filter((r) => r.failed > 0).map((r) => `phase ${r.phase}: ${r.failed} of ${r.attempted} handshakes refused`);
  const last = results[results.length - 1];
  if (last && last.leavesFromA > 0) out.push(`after phase ${last.phase}: ${last.leavesFromA} workload(s) still hold leaves from the old root A (the issuer never switched to B)`);
  if (last && last.trustingA > 0) out.push(`after phase ${last.phase}: ${last.trustingA} workload(s) still trust the old root A`);
  const t = results.reduce((n, r) => n + r.timeouts, 0);
  if (t > 0) out.push(`${t} handshake(s) timed out after ${HANDSHAKE_ATTEMPTS} tries: the machine is too loaded to judge`);
  return out;
}

/** Runs the drill on one cluster; returns one result per phase. */
export function runDrill(o: DrillOptions): Promise<PhaseResult[]> {
  return runFleetDrill({ ...o, clusters: [{ name: 'mesh' }], phases: o.phases.map((p) => ({ name: p.name, durationMs: p.durationMs, clusters: [p] })) });
}

/** The servers a client calls each tick: its two ring neighbours in one cluster; in a fleet, two workloads of every other cluster. */
function serversOf(c: Workload, byCluster: readonly Workload[][]): Workload[] {
  if (byCluster.length === 1) {
    const ws = byCluster[0];
    return [1, 2].map((step) => ws[(c.index + step) % ws.length]).filter((s) => s !== c);
  }
  return byCluster.flatMap((ws, k) => (k === c.cluster ? [] : [...new Set([0, 1].map((step) => ws[(c.index + step) % ws.length]))]));
}

/** Runs a drill over clusters that each change their CA per phase; returns one result per phase (all clusters). */
export async function runFleetDrill(o: FleetDrillOptions): Promise<PhaseResult[]> {
  const ttlOf = o.clusters.map((c) => c.workloadCertTtlMs ?? o.workloadCertTtlMs);
  const shortest = Math.min(...ttlOf);
  if (o.tickMs > shortest / 24) throw new Error(`tickMs (${o.tickMs}) must be at most workloadCertTtlMs / 24 (${shortest / 24})`);
  const bad = o.phases.find((p) => p.clusters.length !== o.clusters.length);
  if (bad) throw new Error(`phase ${bad.name} gives ${bad.clusters.length} cluster state(s) for ${o.clusters.length} cluster(s)`);
  const log = o.log ?? (() => undefined);
  const rand = prng(o.seed ?? 42);
  const started = Date.now();
  const limit = o.realTimeLimitMs ?? 120_000;
  const trustDomain = o.trustDomain ?? 'cluster.local';
  const pcdsDelay = o.pcdsDelayMs ?? PCDS_PROPAGATION_MS / 4;
  const roots = { A: await root('Drill Root A'), B: await root('Drill Root B') };
  const suffix = (k: number) => (o.clusters.length === 1 ? '' : ` ${o.clusters[k].name}`);
  const issuers = await Promise.all(o.clusters.map(async (_, k) => ({
    A: await intermediate(`Drill Intermediate A${suffix(k)}`, roots.A), B: await intermediate(`Drill Intermediate B${suffix(k)}`, roots.B),
  })));

  const cas = o.clusters.map(() => ({ issueFrom: 'A' as 'A' | 'B', trust: ['A'] as ('A' | 'B')[] }));
  const renewAfter = (k: number) => ttlOf[k] * (1 - (o.gracePeriodRatio + (rand() * 2 - 1) * o.jitter));

  const workloads: Workload[] = [];
  const issue = async (w: Workload, now: number) => {
    const ca = cas[w.cluster];
    const issuer = issuers[w.cluster][ca.issueFrom];
    w.cert = await leaf(`spiffe://${w.trustDomain}/ns/drill/sa/w${w.id}`, issuer);
    w.root = ca.issueFrom;
    w.chainPem = w.cert.certPem + issuer.certPem;
    // The CA response carries the root bundle, which the agent uses as its trust (docs/reference.md §1.3).
    w.trust = [...ca.trust];
    w.pending = undefined;
    w.rotateAt = now + renewAfter(w.cluster);
    w.server?.setSecureContext(context(w));
  };
  const context = (w: Workload) => ({ key: w.cert!.keyPem, cert: w.chainPem, ca: w.trust.map((r) => roots[r].certPem) });

  try {
    const byCluster: Workload[][] = o.clusters.map(() => []);
    for (let k = 0; k < o.clusters.length; k++) {
      for (let index = 0; index < o.workloads; index++) {
        const id = workloads.length;
        const w: Workload = {
          id, cluster: k, index, trustDomain: id < (o.foreignWorkloads ?? 0) ? `foreign.${trustDomain}` : trustDomain, chainPem: '', trust: [], rotateAt: 0, port: 0,
        };
        // Stagger the workloads over one rotation interval, as a running mesh is.
        await issue(w, -rand() * ttlOf[k] * (1 - o.gracePeriodRatio));
        const server = tls.createServer({ requestCert: true, rejectUnauthorized: true, ...context(w) }, (s) => {
          // The server side checks the client's SPIFFE identity too.
          if (spiffeTrustDomain(s.getPeerCertificate().subjectaltname) === trustDomain) s.end('1');
          else s.destroy();
        });
        server.on('tlsClientError', () => undefined);
        w.server = server;
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        w.port = (server.address() as AddressInfo).port;
        workloads.push(w);
        byCluster[k].push(w);
      }
    }

    const results: PhaseResult[] = [];
    let now = 0;
    for (const phase of o.phases) {
      const t0 = Date.now();
      const pushed = phase.clusters.map((state, k) => {
        const changedTrust = state.trust.join() !== cas[k].trust.join();
        cas[k] = { issueFrom: state.issueFrom, trust: [...state.trust] };
        return (state.pcds ?? o.pcds) && changedTrust;
      });
      // istiod pushes the new bundle; each proxy gets it after its own delay.
      for (const w of workloads) if (pushed[w.cluster]) w.pending = { trust: [...cas[w.cluster].trust], at: now + rand() * pcdsDelay };
      let attempted = 0;
      let failed = 0;
      let timeouts = 0;
      const end = now + phase.durationMs;
      // Steps of tickMs; the last one ends the phase exactly (a 1 ms phase is one 1 ms step).
      while (now < end) {
        if (Date.now() - started > limit) throw new Error(`drill stopped: real-time limit of ${limit} ms reached`);
        now = Math.min(now + o.tickMs, end);
        for (const w of workloads) {
          if (w.pending && w.pending.at <= now) {
            w.trust = w.pending.trust;
            w.pending = undefined;
            w.server!.setSecureContext(context(w));
          }
          if (w.rotateAt <= now) await issue(w, now);
        }
        const pairs: Promise<Outcome>[] = [];
        for (const c of workloads) for (const s of serversOf(c, byCluster)) pairs.push(handshake(c, s, roots, trustDomain));
        const outcomes = await Promise.all(pairs);
        attempted += outcomes.length;
        failed += outcomes.filter((x) => x === 'rejected').length;
        timeouts += outcomes.filter((x) => x === 'timeout').length;
      }
      const r = {
        phase: phase.name, attempted, failed, timeouts, simulatedMs: phase.durationMs, realMs: Date.now() - t0,
        leavesFromA: workloads.filter((w) => w.root === 'A').length, trustingA: workloads.filter((w) => w.trust.includes('A')).length,
      };
      results.push(r);
      log(`phase ${r.phase.padEnd(22)} handshakes ${String(r.attempted).padStart(5)}  failed ${String(r.failed).padStart(5)}  ` +
        `timeouts ${r.timeouts}  simulated ${humanDuration(r.simulatedMs).padEnd(10)} real ${r.realMs} ms`);
    }
    return results;
  } finally {
    await Promise.all(workloads.map((w) => new Promise<void>((r) => (w.server ? w.server.close(() => r()) : r()))));
  }
}
