// What /proc says about processes the harness started: who is in a process group, who descends
// from whom, and which process of a shell wrapper is the real program. Linux only; elsewhere the
// answers are empty, and callers fall back to signals alone.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
}

/** One process's /proc/<pid>/stat, or undefined when it is gone. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { pid, comm: text.slice(text.indexOf('(') + 1, close), state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Every process on the machine (a zombie too), read once. */
export function allProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = procStat(Number(n));
    if (s) out.push(s);
  }
  return out;
}

/** Running (not gone, not a zombie waiting for its parent to reap it). */
export function isAlive(pid: number): boolean {
  const s = procStat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
}

/** Live members of a process group (zombies do not count: they hold no resources but a pid). */
export function liveGroupMembers(pgid: number, procs = allProcesses()): number[] {
  return procs.filter((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X').map((p) => p.pid);
}

/** Every live descendant of `pid` (children, their children, ...), whatever their group. */
export function liveDescendants(pid: number, procs = allProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) if (p.state !== 'Z' && p.state !== 'X') children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const todo = [...(children.get(pid) ?? [])];
  while (todo.length) {
    const next = todo.pop()!;
    out.push(next);
    todo.push(...(children.get(next) ?? []));
  }
  return out;
}

/** Programs that only wrap another one: a command run through them is not the program itself. */
const WRAPPERS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'busybox', 'env', 'nohup', 'timeout', 'setsid', 'stdbuf', 'nice']);

/**
 * The process doing the work behind `pid`: while `pid` is a shell or wrapper with exactly one live
 * child, that child (`sh -c 'cd x && ./operator'` → the operator). Memory probes sample this one.
 */
export function mainProcess(pid: number, procs = allProcesses()): number {
  let current = pid;
  for (let depth = 0; depth < 8; depth++) {
    const me = procs.find((p) => p.pid === current);
    if (!me || !WRAPPERS.has(me.comm)) return current;
    const kids = procs.filter((p) => p.ppid === current && p.state !== 'Z');
    if (kids.length !== 1) return current;
    current = kids[0].pid;
  }
  return current;
}
