import { arch, cpus, platform, release, totalmem } from 'node:os';

/** What every benchmark report says about the machine it ran on, so figures can be compared fairly. */
export function machineInfo() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    totalMemoryMB: Math.round(totalmem() / (1024 * 1024)),
    platform: platform(),
    arch: arch(),
    kernel: release(),
    node: process.version,
  };
}
