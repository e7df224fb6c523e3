// Binding of the create-session body as gin/encoding/json does it (contract §1.2): keys match
// case-insensitively, unknown keys are dropped, type mismatches and `binding:"required"` failures
// are 400. Which keys name the parent is a profile switch.
import { ERR } from '../contract.ts';
import { HttpError } from './http-util.ts';

export interface UserContext {
  userId: string;
  displayName: string;
  groups: string[];
}

export interface CreateSessionRequest {
  initialPrompt?: string;
  displayName?: string;
  runnerType?: string;
  llmSettings?: { model?: string; temperature?: number; maxTokens?: number };
  timeout?: number;
  inactivityTimeout?: number;
  parentSessionId: string;
  repos?: { url: string; branch?: string; autoPush?: boolean }[];
  activeWorkflow?: { gitUrl: string; branch?: string; path?: string };
  userContext?: UserContext;
  environmentVariables?: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

type Obj = Record<string, unknown>;
const bad = () => new HttpError(400, ERR.invalidBody);

/** Go's encoding/json field lookup: exact key first, then a case-insensitive match. */
function field(o: Obj, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad();
  return v;
}
function num(v: unknown, integer = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw bad();
  return v;
}
function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad();
  return v;
}
function obj(v: unknown): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad();
  return v as Obj;
}
function strMap(v: unknown): Record<string, string> | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val !== 'string') throw bad();
    out[k] = val;
  }
  return out;
}

export function bindCreateRequest(body: Obj, parentKeys: readonly string[]): CreateSessionRequest {
  const req: CreateSessionRequest = { parentSessionId: '' };
  req.initialPrompt = str(field(body, 'initialPrompt'));
  req.displayName = str(field(body, 'displayName'));
  req.runnerType = str(field(body, 'runnerType'));
  const llm = obj(field(body, 'llmSettings'));
  if (llm) {
    req.llmSettings = { model: str(field(llm, 'model')), temperature: num(field(llm, 'temperature')), maxTokens: num(field(llm, 'maxTokens'), true) };
  }
  req.timeout = num(field(body, 'timeout'), true);
  req.inactivityTimeout = num(field(body, 'inactivityTimeout'), true);
  for (const key of parentKeys) {
    const v = str(field(body, key));
    if (v) {
      req.parentSessionId = v;
      break;
    }
  }
  const repos = field(body, 'repos');
  if (repos !== undefined && repos !== null) {
    if (!Array.isArray(repos)) throw bad();
    req.repos = repos.map((r) => {
      const o = obj(r) ?? {};
      return { url: str(field(o, 'url')) ?? '', branch: str(field(o, 'branch')), autoPush: bool(field(o, 'autoPush')) };
    });
  }
  const wf = obj(field(body, 'activeWorkflow'));
  if (wf) {
    const gitUrl = str(field(wf, 'gitUrl'));
    if (!gitUrl) throw bad(); // binding:"required"
    req.activeWorkflow = { gitUrl, branch: str(field(wf, 'branch')) || 'main', path: str(field(wf, 'path')) };
  }
  const uc = obj(field(body, 'userContext'));
  if (uc) {
    // Every field is binding:"required": non-empty strings, non-null slice.
    const userId = str(field(uc, 'userId'));
    const displayName = str(field(uc, 'displayName'));
    const groups = field(uc, 'groups');
    if (!userId || !displayName || !Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) throw bad();
    req.userContext = { userId, displayName, groups: groups as string[] };
  }
  req.environmentVariables = strMap(field(body, 'environmentVariables'));
  req.labels = strMap(field(body, 'labels'));
  req.annotations = strMap(field(body, 'annotations'));
  return req;
}
