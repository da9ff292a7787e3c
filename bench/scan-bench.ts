/**
 * `npm run bench:scan [-- --files N --runs R --cli PATH --keep]`: generates a synthetic library once, then per run
 * scans it into a fresh data directory, rescans it unchanged, adds 1% new files and rescans again, each time by
 * spawning `omnisonic scan --json`. Prints the JSON report on stdout and writes it to bench-results/scan.json;
 * progress goes to stderr. Run from the repository root (npm does).
 */
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeBenchReport } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import { median, positiveInteger, round } from './bench-math.js';
import { runScan, type TimedScan } from './scan-cli.js';
import { generateLibrary, type GeneratedLibrary } from './synthetic-library.js';

const SEED = 1;
const MB = 1024 * 1024;
/** The targets, stated for a 20,000-file library on a 2-core machine. */
const TARGETS = [
  { metric: 'initialScanFilesPerSec', comparison: '>=', threshold: 1000 },
  { metric: 'noChangeRescanMs', comparison: '<=', threshold: 1000 },
  { metric: 'peakRssMB', comparison: '<=', threshold: 250 },
] as const;
const TARGET_LIBRARY_FILES = 20_000;

interface Options {
  files: number;
  runs: number;
  cli: string;
  keep: boolean;
}

interface Phase {
  /** Scan time reported by the CLI, ms. */
  durationMs: number;
  /** Spawn to exit, ms. */
  wallMs: number;
  peakRssMB: number;
  added: number;
  updated: number;
  moved: number;
  missing: number;
  reactivated: number;
  unchanged: number;
  broken: number;
}

interface Run {
  run: number;
  initial: Phase & { filesPerSec: number };
  noChange: Phase;
  onePercentNew: Phase;
  /** Highest peak RSS of the three phases, MB. */
  peakRssMB: number;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const root = await mkdtemp(join(tmpdir(), 'omnisonic-scan-bench-'));
  try {
    log(`generating ${options.files} files in ${root}`);
    const generationStart = performance.now();
    const library = await generateLibrary(join(root, 'music'), { files: options.files, seed: SEED });
    const generateMs = performance.now() - generationStart;
    log(`generated ${(library.totalBytes / MB).toFixed(0)} MB in ${(generateMs / 1000).toFixed(1)} s`);

    const newFiles = Math.max(1, Math.round(options.files / 100));
    const runs: Run[] = [];
    const anomalies: string[] = [];
    for (let run = 1; run <= options.runs; run++) {
      runs.push(await benchRun(run, options, library, newFiles, join(root, `data-${run}`), anomalies));
    }

    const report = buildReport(options, library, generateMs, newFiles, runs, anomalies);
    await writeBenchReport('scan', report);
  } finally {
    if (options.keep) log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

async function benchRun(
  run: number,
  options: Options,
  library: GeneratedLibrary,
  newFiles: number,
  dataDir: string,
  anomalies: string[],
): Promise<Run> {
  const files = library.files.length;
  await mkdir(dataDir, { recursive: true });
  try {
    const initial = phase(await runScan(options.cli, library.dir, dataDir));
    const filesPerSec = files / (initial.durationMs / 1000);
    log(`run ${run}/${options.runs}: initial scan ${initial.durationMs.toFixed(0)} ms (${Math.round(filesPerSec)} files/s)`);
    checkCounts(anomalies, `run ${run} initial`, initial, { added: files, broken: 0 });

    const noChange = phase(await runScan(options.cli, library.dir, dataDir));
    log(`run ${run}/${options.runs}: no-change rescan ${noChange.durationMs.toFixed(0)} ms`);
    checkCounts(anomalies, `run ${run} no-change`, noChange, { added: 0, updated: 0, moved: 0, missing: 0, unchanged: files });

    const added = await generateLibrary(library.dir, { files: newFiles, seed: SEED, startIndex: files });
    try {
      const onePercentNew = phase(await runScan(options.cli, library.dir, dataDir));
      log(`run ${run}/${options.runs}: rescan with ${newFiles} new files ${onePercentNew.durationMs.toFixed(0)} ms`);
      checkCounts(anomalies, `run ${run} 1% new`, onePercentNew, { added: newFiles, missing: 0, unchanged: files });
      return {
        run,
        initial: { ...initial, filesPerSec: round(filesPerSec, 0) },
        noChange,
        onePercentNew,
        peakRssMB: Math.max(initial.peakRssMB, noChange.peakRssMB, onePercentNew.peakRssMB),
      };
    } finally {
      await removeGenerated(added);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function buildReport(
  options: Options,
  library: GeneratedLibrary,
  generateMs: number,
  newFiles: number,
  runs: Run[],
  anomalies: string[],
) {
  const metrics = {
    initialScanFilesPerSec: round(median(runs.map((run) => run.initial.filesPerSec)), 0),
    noChangeRescanMs: round(median(runs.map((run) => run.noChange.durationMs)), 1),
    onePercentNewRescanMs: round(median(runs.map((run) => run.onePercentNew.durationMs)), 1),
    peakRssMB: round(median(runs.map((run) => run.peakRssMB)), 1),
  };
  const targets = TARGETS.map((target) => {
    const value = metrics[target.metric];
    const pass = target.comparison === '>=' ? value >= target.threshold : value <= target.threshold;
    return { ...target, value, pass };
  });
  return {
    benchmark: 'scan',
    finishedAt: new Date().toISOString(),
    files: library.files.length,
    runs: runs.length,
    ...metrics,
    wallMs: {
      initialScan: round(median(runs.map((run) => run.initial.wallMs)), 1),
      noChangeRescan: round(median(runs.map((run) => run.noChange.wallMs)), 1),
      onePercentNewRescan: round(median(runs.map((run) => run.onePercentNew.wallMs)), 1),
    },
    targets,
    pass: targets.every((target) => target.pass),
    targetsNote:
      library.files.length === TARGET_LIBRARY_FILES
        ? 'targets as stated for 20,000 files on a 2-core machine'
        : `targets are stated for 20,000 files; this run used ${library.files.length}`,
    anomalies,
    method: {
      durations: 'medians over runs of the CLI-reported durationMs (scan only); wallMs adds Node start-up, database open and shutdown',
      peakRss: 'per run the highest peakRssBytes of the three phases, then the median over runs',
      phases: `per run: initial scan into a fresh data dir; rescan with no change; rescan after adding ${newFiles} new files (removed again afterwards)`,
      pageCache: 'warm: the library was written just before the runs and fits in memory',
    },
    library: {
      generator: 'bench/synthetic-library.ts',
      seed: SEED,
      mp3: library.counts.mp3,
      flac: library.counts.flac,
      albums: library.albums,
      totalMB: round(library.totalBytes / MB, 1),
      meanFileKB: round(library.totalBytes / library.files.length / 1024, 1),
      filesWithCover: library.files.filter((file) => file.hasCover).length,
      generateMs: round(generateMs, 0),
      note:
        'audio bodies are 3–10 s clips (MP3 CBR 128 kb/s, 16-bit/44.1 kHz FLAC) to keep 20,000 files on disk, so files are ' +
        '~50–400 KB, not 3–40 MB: tags and covers are realistic, anything that reads whole files (hashing) is not',
    },
    machine: machineInfo(),
    raw: runs,
  };
}

function phase({ summary, wallMs }: TimedScan): Phase {
  return {
    durationMs: round(summary.durationMs, 1),
    wallMs: round(wallMs, 1),
    peakRssMB: round(summary.peakRssBytes / MB, 1),
    added: summary.added,
    updated: summary.updated,
    moved: summary.moved,
    missing: summary.missing,
    reactivated: summary.reactivated,
    unchanged: summary.unchanged,
    broken: summary.broken.length,
  };
}

/** Records, rather than throws on, counts that differ from what the phase should produce: the timings still stand. */
function checkCounts(anomalies: string[], label: string, actual: Phase, expected: Partial<Phase>): void {
  for (const [key, value] of Object.entries(expected)) {
    const got = actual[key as keyof Phase];
    if (got !== value) anomalies.push(`${label}: ${key} ${got}, expected ${value}`);
  }
}

/** Deletes the files a generateLibrary call added, and the folders that leaves empty, so the next run starts equal. */
async function removeGenerated(added: GeneratedLibrary): Promise<void> {
  const folders = new Set<string>();
  for (const file of added.files) {
    await rm(join(added.dir, file.path));
    for (let folder = dirname(file.path); folder !== '.'; folder = dirname(folder)) folders.add(folder);
  }
  const deepestFirst = [...folders].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const folder of deepestFirst) {
    await rmdir(join(added.dir, folder)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  }
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '20000' },
      runs: { type: 'string', default: '3' },
      cli: { type: 'string', default: 'bin/omnisonic.js' },
      keep: { type: 'boolean', default: false },
    },
  });
  return { files: positiveInteger('--files', values.files), runs: positiveInteger('--runs', values.runs), cli: resolve(values.cli), keep: values.keep };
}

function log(message: string): void {
  process.stderr.write(`bench:scan: ${message}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
