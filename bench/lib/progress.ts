/** Progress bars for data generation (cli-progress), quiet when stderr is not a terminal. */
import cliProgress from 'cli-progress';
import type { GenerateProgress } from './datagen.js';

const format = (n: number) => n.toLocaleString('en-US');

export interface GenerateBar {
  update(progress: GenerateProgress): void;
  stop(): void;
}

/** One bar per phase (load → indexes → vacuum), with order and interaction counts and a rate. */
export function generateBar(label: string): GenerateBar {
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let phase: GenerateProgress['phase'] | null = null;
  let phaseStart = 0;
  let lastLog = 0;
  const start = (p: GenerateProgress) => {
    bar?.stop();
    phase = p.phase;
    phaseStart = performance.now();
    if (!tty) return void process.stderr.write(`${label}: ${p.phase}…\n`);
    const what = p.phase === 'load' ? 'customers' : p.phase === 'indexes' ? 'keys/indexes' : 'tables';
    bar = new cliProgress.SingleBar(
      {
        format: `${label} ${p.phase.padEnd(7)} [{bar}] {percentage}% | {value}/{total} ${what} | {extra} | {duration_formatted}`,
        formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? format(v) : String(v)),
        hideCursor: true,
        barsize: 24,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(p.total, 0, { extra: '' });
  };
  return {
    update(p) {
      if (p.phase !== phase) start(p);
      const seconds = (performance.now() - phaseStart) / 1000;
      const extra = p.phase === 'load'
        ? `${format(p.orders)} orders${p.interactions ? `, ${format(p.interactions)} interactions` : ''}, ${format(Math.round(p.orders / Math.max(seconds, 1e-3)))} orders/s`
        : p.detail ?? '';
      if (bar) bar.update(p.done, { extra });
      else if (performance.now() - lastLog > 5000 || p.done === p.total) {
        lastLog = performance.now();
        process.stderr.write(`${label}: ${p.phase} ${format(p.done)}/${format(p.total)} ${extra}\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
