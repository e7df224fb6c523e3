// Progress lines on stderr for long work (bring-up, deploy, scenarios), always redacted.
import { redact } from './redact.ts';

type Sink = (line: string) => void;
let sink: Sink = (line) => process.stderr.write(line + '\n');
let quiet = false;

export function progress(message: string): void {
  if (quiet) return;
  sink(`[ambient-harness] ${redact(message)}`);
}

/** Tests and library users can capture or silence progress lines. Returns the previous sink. */
export function setProgressSink(next: Sink | 'quiet' | 'stderr'): void {
  quiet = next === 'quiet';
  if (typeof next === 'function') sink = next;
  else if (next === 'stderr') sink = (line) => process.stderr.write(line + '\n');
}
