// Target lookup by name. Targets are imported lazily so `--target kind` never loads the embedded
// control plane, and the embedded target never needs docker.
import type { TargetName } from '../config.ts';
import type { Target } from './types.ts';
import type { HarnessConfig } from '../config.ts';
import type { Prerequisite } from './prerequisites.ts';

const loaders: Record<TargetName, () => Promise<Target>> = {
  embedded: async () => (await import('./embedded.ts')).embeddedTarget,
  kind: async () => (await import('./kind.ts')).kindTarget,
  k3s: async () => (await import('./k3s.ts')).k3sTarget,
  existing: async () => (await import('./existing.ts')).existingTarget,
};

/** A Target that loads its implementation on first use. */
export function targetFor(name: TargetName): Target {
  let loaded: Promise<Target> | undefined;
  const load = () => (loaded ??= loaders[name]());
  return {
    name,
    prerequisites: async (config: HarnessConfig): Promise<Prerequisite> => (await load()).prerequisites(config),
    up: async (opts) => (await load()).up(opts),
  };
}

export type { Target, Cluster, Capabilities, CapabilityName } from './types.ts';
