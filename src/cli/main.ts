import { Command, Option } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig, type Config, type ConfigInput } from '../config.js';
import { AppError } from '../shared/errors.js';
import { listen } from '../server.js';
import { syncCommandAction } from '../sync-client/sync-command.js';
import { runScanCommand } from './scan-command.js';
import { readPassword } from './read-password.js';
import type { UserChanges } from '../users/users-service.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Config for one-shot commands: no watcher, no start-up or periodic scans, no background indexing, quiet logs. */
function oneShotConfig(input: ConfigInput): Config {
  return { ...loadConfig(input), watch: false, scanOnStart: false, scanIntervalMinutes: 0, backgroundIndexing: false, logLevel: 'warn' };
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

const user = program.command('user').description('Manage accounts (the same rules as the admin API)');

/** Runs `work` against the app on the data directory, then closes it. */
async function withApp<T>(data: string | undefined, work: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const app = await buildApp(oneShotConfig({ data }));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

const dataOption = () => new Option('--data <dir>', 'data directory (env OMNISONIC_DATA)');

user
  .command('create')
  .description('Create an account; the password is read from standard input')
  .requiredOption('--username <name>', 'the new username')
  .option('--admin', 'make the account an admin')
  .addOption(dataOption())
  .action(async (options: { username: string; admin?: boolean; data?: string }) => {
    const password = await readPassword(`Password for ${options.username}: `);
    await withApp(options.data, async (app) => {
      const created = await app.omnisonic.auth.createUser({ username: options.username, password, role: options.admin ? 'admin' : 'user' });
      process.stdout.write(`created ${created.role} "${created.username}"\n`);
    });
  });

user
  .command('list')
  .description('List accounts')
  .addOption(dataOption())
  .action(async (options: { data?: string }) => {
    await withApp(options.data, async (app) => {
      for (const row of await app.omnisonic.users.list()) {
        process.stdout.write(`${row.username}\t${row.role}${row.disabled ? '\tdisabled' : ''}\n`);
      }
    });
  });

/** `user <verb> --username U`: one change through the users service, which enforces the last-admin rule. */
function userChange(verb: string, description: string, changes: (password?: string) => UserChanges, needsPassword = false) {
  user
    .command(verb)
    .description(description)
    .requiredOption('--username <name>', 'the account')
    .addOption(dataOption())
    .action(async (options: { username: string; data?: string }) => {
      const password = needsPassword ? await readPassword(`New password for ${options.username}: `) : undefined;
      await withApp(options.data, async (app) => {
        const target = await app.omnisonic.users.findByUsername(options.username);
        const updated = await app.omnisonic.users.update(null, target.id, changes(password), null);
        process.stdout.write(`${updated.username}: ${updated.role}${updated.disabled ? ', disabled' : ''}\n`);
      });
    });
}
userChange('disable', 'Disable an account (its sessions and devices stop working)', () => ({ disabled: true }));
userChange('enable', 'Enable a disabled account', () => ({ disabled: false }));
userChange('promote', 'Make an account an admin', () => ({ role: 'admin' }));
userChange('demote', 'Make an admin a regular user', () => ({ role: 'user' }));
userChange('reset-password', 'Set a new password, read from standard input', (password) => ({ password }), true);

user
  .command('delete')
  .description('Delete an account and everything it owns')
  .requiredOption('--username <name>', 'the account')
  .addOption(dataOption())
  .action(async (options: { username: string; data?: string }) => {
    await withApp(options.data, async (app) => {
      const target = await app.omnisonic.users.findByUsername(options.username);
      await app.omnisonic.users.delete(null, target.id, null);
      process.stdout.write(`deleted "${target.username}"\n`);
    });
  });

program
  .command('sync')
  .description("Keep an offline copy of a server's library in a folder: downloads what is new or changed, removes what was deleted")
  .requiredOption('--server <url>', 'the server, e.g. http://192.168.1.10:4747')
  .option('--token <token>', 'device access token from POST /api/v1/devices (env OMNISONIC_TOKEN)')
  .requiredOption('--dir <dir>', 'folder to mirror into (state in DIR/.omnisonic-sync/)')
  .option('--once', 'sync once and exit (default: keep syncing)')
  .option('--interval <seconds>', 'seconds between polls when syncing continuously', '300')
  .option('--no-events', "poll only; do not listen to the server's library events")
  .option('--json', 'print each summary as one JSON line')
  .option('--verify', 'hash every local file at start, not only those whose size or mtime changed')
  .option('--retry-for <seconds>', 'give up once the server has been unreachable this long (default: keep retrying)')
  .option('--page-size <n>', 'records per request, 1-1000', '1000')
  .action(syncCommandAction);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError) {
    process.stderr.write(`omnisonic: ${error.message}\n`);
  } else {
    process.stderr.write(`omnisonic: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
