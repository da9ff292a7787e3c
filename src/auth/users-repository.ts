import type { Db } from '../db/database.js';
import type { Role, UsersTable } from '../db/schema.js';

export type UserRow = UsersTable;

/** SQL for accounts. */
export function createUsersRepository(db: Db) {
  return {
    async insert(user: UserRow): Promise<void> {
      await db.insertInto('users').values(user).execute();
    },
    async findByUsernameKey(usernameKey: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('usernameKey', '=', usernameKey).executeTakeFirst();
    },
    async findById(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async count(): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Enabled users with this role. */
    async countActiveByRole(role: Role): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', role)
        .where('disabled', '=', 0)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async listAll(): Promise<UserRow[]> {
      return db.selectFrom('users').selectAll().orderBy('usernameKey').execute();
    },
    async update(id: string, changes: Partial<Pick<UserRow, 'role' | 'disabled' | 'passwordHash'>>): Promise<void> {
      await db.updateTable('users').set(changes).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
