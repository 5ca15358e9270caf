import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, RecomputeChildResult } from '../recompute-child.js';

const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * One metrics recompute in a child process (bench/recompute-child.ts), so its memory is measured
 * on its own. `onProgress` gets every progress message; callers throttle their own output.
 */
export function runRecomputeChild(
  url: string,
  tenantId: string,
  asOf: string,
  onProgress: (progress: Extract<ChildMessage, { type: 'progress' }>) => void,
): Promise<RecomputeChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(benchDir, 'recompute-child.ts'), ['--database-url', url, '--tenant-id', tenantId, '--as-of', asOf, '--runs', '1'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: RecomputeChildResult | null = null;
    let failure: string | null = null;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') onProgress(message);
      else if (message.type === 'result') result = message;
      else failure = message.message;
    });
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(failure ?? `recompute child exited with code ${code}`))));
  });
}
