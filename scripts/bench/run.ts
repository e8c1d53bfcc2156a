// `npm run bench [-- <part>...] [--leads N] [--seed N] [--few-activities N] [--iterations N]`
// Parts: apex (local Apex runtime vs a plain JS loop), audit (export audit vs csv-parse alone,
// and its memory with fewer activities), business-time (add/diff vs luxon). Default: all three.
// Every result is a ratio against a baseline measured in the same run (docs/BENCHMARKS.md).
import { benchApexRuntime } from './apex-runtime.ts';
import { benchAudit } from './audit.ts';
import { benchBusinessTime } from './business-time.ts';

const PARTS = ['apex', 'audit', 'business-time'] as const;
type Part = (typeof PARTS)[number];

interface BenchArgs {
  parts: Part[];
  leads: number;
  seed: number;
  fewActivities?: number;
  iterations: number;
}

const NUMBER_FLAGS = ['--leads', '--seed', '--few-activities', '--iterations'] as const;

function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const parts: Part[] = [];
  const numbers: Partial<Record<(typeof NUMBER_FLAGS)[number], number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((NUMBER_FLAGS as readonly string[]).includes(arg)) {
      const raw = argv[++i];
      const value = Number((raw ?? '').replace(/_/g, ''));
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${arg} needs a positive whole number, got ${raw ?? 'nothing'}`);
      }
      numbers[arg as (typeof NUMBER_FLAGS)[number]] = value;
    } else if ((PARTS as readonly string[]).includes(arg)) {
      parts.push(arg as Part);
    } else {
      throw new Error(
        `unknown benchmark argument "${arg}": parts are ${PARTS.join(', ')}; flags ${NUMBER_FLAGS.join(', ')}`
      );
    }
  }
  return {
    parts: parts.length ? parts : [...PARTS],
    leads: numbers['--leads'] ?? 1_000_000,
    seed: numbers['--seed'] ?? 42,
    fewActivities: numbers['--few-activities'],
    iterations: numbers['--iterations'] ?? Number(process.env.BENCH_ITERATIONS ?? 200_000)
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  console.log(`bench ${new Date().toISOString()} (node ${process.version})`);
  for (const part of args.parts) {
    console.log(`\n== ${part}`);
    if (part === 'apex') benchApexRuntime(args.iterations);
    else if (part === 'audit') {
      await benchAudit({ leads: args.leads, seed: args.seed, fewActivities: args.fewActivities });
    } else benchBusinessTime();
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
