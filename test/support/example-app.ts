// How application code uses the generated queries (queries/*.queries.ts) with rb's client:
// `query.run(params, db(sql))` on the pool, in a transaction or on a reserved connection.
import { getMyModelById, insertMyModel, listMyModelsByUser, updateModelPropForIds, type IGetMyModelByIdResult } from '../../queries/my_model.queries.ts';
import { insertUser } from '../../queries/user.queries.ts';
import type postgres from 'postgres';
import { db, type Queryable } from '@rbsql/runtime';

export type MyModel = IGetMyModelByIdResult;

/** Creates a user and one my_model row per prop, in one transaction; returns the user's id and models. */
export async function createUserWithModels(sql: postgres.Sql, email: string, props: string[]): Promise<{ userId: string; models: MyModel[] }> {
  return sql.begin(async (tx) => {
    const [user] = await insertUser.run({ email }, db(tx));
    for (const modelProp of props) await insertMyModel.run({ modelProp, userId: user.id }, db(tx));
    return { userId: user.id, models: await listMyModelsByUser.run({ userId: user.id }, db(tx)) };
  });
}

export async function findMyModel(sql: Queryable, id: string): Promise<MyModel | undefined> {
  const [row] = await getMyModelById.run({ id }, db(sql));
  return row;
}

/** Sets model_prop on many rows; an empty list is a no-op (the generated type wants at least one id). */
export async function setModelProp(sql: Queryable, ids: readonly string[], modelProp: string | null): Promise<void> {
  if (ids.length === 0) return;
  const [first, ...rest] = ids;
  await updateModelPropForIds.run({ ids: [first, ...rest], modelProp }, db(sql));
}
