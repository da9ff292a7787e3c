import { Command, Option } from 'commander';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig, type Config, type ConfigInput } from '../config.js';
import { AppError } from '../shared/errors.js';
import { listen } from '../server.js';
import { runScanCommand } from './scan-command.js';
import { readPassword } from './read-password.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Config for one-shot commands: no watcher, no start-up or periodic scans, quiet logs. */
function oneShotConfig(input: ConfigInput): Config {
  return { ...loadConfig(input), watch: false, scanOnStart: false, scanIntervalMinutes: 0, logLevel: 'warn' };
}

const program = new Command('omnisonic')
  .description('Omnisonic: a self-hosted, library-first personal music server')
  .showHelpAfterError();

program
  .command('serve')
  .description('Scan the music folders, watch them, and serve the API (and later the web app)')
  .option('--music <dir>', 'music folder; repeat for several (env OMNISONIC_MUSIC, ":"-separated)', collect, [])
  .option('--data <dir>', 'data directory for the database and artwork (env OMNISONIC_DATA)')
  .option('--host <host>', 'address to listen on (env OMNISONIC_HOST, default 127.0.0.1)')
  .option('--port <port>', 'port to listen on (env OMNISONIC_PORT, default 4747)')
  .action(async (options: ConfigInput) => {
    const config = loadConfig(options);
    const app = await buildApp(config);
    const url = await listen(app, config);
    app.log.info(`Omnisonic is listening on ${url} (music: ${config.musicDirs.join(', ') || 'none'}; data: ${config.dataDir})`);
  });

program
  .command('scan')
  .description('Scan the music folders once, show progress, then print a summary')
  .option('--music <dir>', 'music folder; repeat for several (env OMNISONIC_MUSIC)', collect, [])
  .option('--data <dir>', 'data directory (env OMNISONIC_DATA)')
  .option('--json', 'print the summary as one JSON line instead of text')
  .action(async (options: ConfigInput & { json?: boolean }) => {
    const config = oneShotConfig(options);
    if (config.musicDirs.length === 0) throw new ConfigError('--music / OMNISONIC_MUSIC: give at least one music folder');
    await runScanCommand(config, { json: options.json === true });
  });

const user = program.command('user').description('Manage accounts');
user
  .command('create')
  .description('Create an account; the password is read from standard input')
  .requiredOption('--username <name>', 'the new username')
  .option('--admin', 'make the account an admin')
  .option('--data <dir>', 'data directory (env OMNISONIC_DATA)')
  .addOption(new Option('--music <dir>').hideHelp().default([]))
  .action(async (options: { username: string; admin?: boolean; data?: string }) => {
    const password = await readPassword(`Password for ${options.username}: `);
    const app = await buildApp(oneShotConfig({ data: options.data }));
    try {
      const created = await app.omnisonic.auth.createUser({
        username: options.username,
        password,
        role: options.admin ? 'admin' : 'user',
      });
      process.stdout.write(`created ${created.role} "${created.username}"\n`);
    } finally {
      await app.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError) {
    process.stderr.write(`omnisonic: ${error.message}\n`);
  } else {
    process.stderr.write(`omnisonic: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
