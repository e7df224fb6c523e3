// The scenario suite: registered into the harness's registry by loadBuiltinScenarios(). Every
// scenario is target-agnostic (only ctx.cluster, the sim and the platform contract).
import type { ScenarioRegistry } from '../harness/index.ts';
import { credentialResolution } from './credential-resolution.ts';
import { fallback } from './fallback.ts';
import { identityInheritance } from './identity-inheritance.ts';
import { namingUnderConcurrency } from './naming.ts';
import { security } from './security.ts';

export const builtinScenarios = [identityInheritance, credentialResolution, fallback, security, namingUnderConcurrency];

export function registerScenarios(registry: ScenarioRegistry): void {
  registry.register(...builtinScenarios);
}
