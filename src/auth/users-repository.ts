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
    async countByRole(role: Role): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', role)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
