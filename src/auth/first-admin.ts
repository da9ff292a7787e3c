import type { AuthService } from './auth-service.js';

export type FirstAdminOutcome = { created: string } | { usersExist: true } | { instructions: string };

/**
 * First start: when no user exists and `OMNISONIC_ADMIN_PASSWORD` is set, creates that admin (`OMNISONIC_ADMIN_USER`,
 * default "admin"); with neither, returns instructions that say exactly how to create one.
 */
export async function ensureFirstAdmin(
  auth: AuthService,
  settings: { adminUser: string; adminPassword?: string; dataDir: string; databaseUrl?: string },
): Promise<FirstAdminOutcome> {
  if ((await auth.countUsers()) > 0) return { usersExist: true };
  if (settings.adminPassword) {
    await auth.createUser({ username: settings.adminUser, password: settings.adminPassword, role: 'admin' });
    return { created: settings.adminUser };
  }
  const target = settings.databaseUrl ? '' : ` --data ${JSON.stringify(settings.dataDir)}`;
  return {
    instructions:
      'No user exists yet. Create an admin with:\n' +
      `  printf '%s' 'your-password' | npx omnisonic user create --username admin --admin${target}\n` +
      'or restart with OMNISONIC_ADMIN_PASSWORD=your-password set (OMNISONIC_ADMIN_USER picks the name, default "admin").',
  };
}
