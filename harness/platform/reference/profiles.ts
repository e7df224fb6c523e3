// Behaviour profiles of the reference platform (DESIGN "Behaviour profiles"). Each profile is a
// record of named switches; handlers read switches, never the profile name, so a new platform
// version is a new record, not new branches.
import { PARENT_KEY_BACKEND, PARENT_KEY_RUNNER, type ParentKey } from '../contract.ts';

export const PROFILE_NAMES = ['reference', 'm-6b21778', 'h-0b59fe7'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface BehaviourProfile {
  name: ProfileName;
  /** Create-request keys that name the parent (matched case-insensitively, like Go's encoding/json). */
  parentKeys: ParentKey[];
  /** `session-<unix seconds>` collides within a second (M); UUIDs do not. */
  sessionName: 'unix-seconds' | 'uuid';
  /** Operator annotates the runner SA with `created-by-user-id` (#989). */
  annotateRunnerSaWithOwner: boolean;
  /** Credential ownership check: M skips it for bot tokens; H forbids any identity mismatch. */
  credentialMismatch: 'skip-for-bots' | 'forbid';
  /** Copy the parent's whole userContext (true) or only its userId. */
  inheritFullParentContext: boolean;
  /** Inherit only a parent userContext that has a userId (M/H copy one without it verbatim, §3.1 step 6). */
  inheritRequiresUserId: boolean;
  /** Who may inherit a parent's identity: anyone who can read it (M/H), or only its own runner SA / owner. */
  parentInheritanceGuard: 'none' | 'owner-or-own-runner';
  /** SelfSubjectAccessReview cache TTL in the project middleware (H: 30 s; 0 = off). */
  ssarCacheTtlMs: number;
  /** Runner token Secret also carries `agui-token` (H, #1378). */
  aguiTokenKey: boolean;
  /** Runner's BOT_TOKEN: env from secretKeyRef (M) or a file mounted at /var/run/secrets/ambient (H, #1050). */
  botTokenDelivery: 'env' | 'file';
  defaultModel: string;
}

const M: BehaviourProfile = {
  name: 'm-6b21778',
  parentKeys: [PARENT_KEY_BACKEND],
  sessionName: 'unix-seconds',
  annotateRunnerSaWithOwner: false,
  credentialMismatch: 'skip-for-bots',
  inheritFullParentContext: true,
  inheritRequiresUserId: false,
  parentInheritanceGuard: 'none',
  ssarCacheTtlMs: 0,
  aguiTokenKey: false,
  botTokenDelivery: 'env',
  defaultModel: 'claude-sonnet-4-5',
};

const H: BehaviourProfile = {
  ...M,
  name: 'h-0b59fe7',
  sessionName: 'uuid',
  annotateRunnerSaWithOwner: true,
  credentialMismatch: 'forbid',
  ssarCacheTtlMs: 30_000,
  aguiTokenKey: true,
  botTokenDelivery: 'file',
  defaultModel: 'claude-sonnet-4-6',
};

/**
 * What the platform should do: both keys inherit, only the parent's own runner or owner may, a
 * parent without a userId is not inherited, and no SSAR cache — H's cache admits a revoked runner
 * token to the project for up to 30 s, where its next Kubernetes call fails and the backend
 * answers 500 instead of 401.
 */
const REFERENCE: BehaviourProfile = {
  ...H,
  name: 'reference',
  parentKeys: [PARENT_KEY_BACKEND, PARENT_KEY_RUNNER],
  inheritRequiresUserId: true,
  parentInheritanceGuard: 'owner-or-own-runner',
  ssarCacheTtlMs: 0,
};

export const PROFILES: Record<ProfileName, BehaviourProfile> = { reference: REFERENCE, 'm-6b21778': M, 'h-0b59fe7': H };

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

/** Resolves a profile name (env `AMBIENT_PROFILE`), defaulting to `reference`. */
export function getProfile(name: string | undefined): BehaviourProfile {
  const n = name && name.length > 0 ? name : 'reference';
  if (!isProfileName(n)) throw new Error(`unknown behaviour profile "${n}" (known: ${PROFILE_NAMES.join(', ')})`);
  return PROFILES[n];
}
