import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase } from '../support/databases.ts';
import { createClient, db } from '@rbsql/runtime';
import { createUserWithModels, findMyModel, setModelProp } from '../support/example-app.ts';
import { getUserByEmail } from '../../queries/user.queries.ts';
import { populateModelPropInRange } from '../../queries/my_model.queries.ts';

test('the committed user/my_model queries run through createClient + db on the migrated schema', async () => {
  const sql = createClient(await createMigratedDatabase('types-examples'));
  try {
    const { userId, models } = await createUserWithModels(sql, 'ada@example.com', ['a', 'b', 'c']);
    assert.type(userId, 'string');
    assert.equal(models.map((m) => [m.model_prop, m.user_id]), [['a', userId], ['b', userId], ['c', userId]]);

    const [user] = await getUserByEmail.run({ email: 'ada@example.com' }, db(sql));
    assert.is(user.id, userId);
    assert.instance(user.created_at, Date);

    await setModelProp(sql, [models[0].id, models[2].id], null);
    await setModelProp(sql, [], 'ignored'); // no-op, nothing sent
    assert.is((await findMyModel(sql, models[0].id))!.model_prop, null);
    assert.is((await findMyModel(sql, models[1].id))!.model_prop, 'b');
    assert.is((await findMyModel(sql, models[2].id))!.model_prop, null);

    await populateModelPropInRange.run({ fromId: models[0].id, toId: models[2].id }, db(sql));
    assert.is((await findMyModel(sql, models[0].id))!.model_prop, models[0].id);
    assert.is((await findMyModel(sql, models[1].id))!.model_prop, 'b');
    assert.is(await findMyModel(sql, '999999'), undefined);

    // The empty-spread guard looks at SQL syntax only: "in ()" inside a literal or a comment passes.
    const literal = await db(sql).query("select 'a in ()' as t /* values () */, now() as n", []);
    assert.equal(literal.rows.map((r) => r.t), ['a in ()']);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

test('the adapter sends boolean/bigint/Buffer arrays as arrays on a fresh client\'s very first query', async () => {
  const sql = createClient(await createMigratedDatabase('types-adapter'));
  try {
    const result = await db(sql).query(
      'select $1::bool[] as b, $2::int8[] as i, $3::bytea[] as y, $4::uuid[] as u, $5::timestamptz[] as t, $6::text as n',
      [[true, false], [1n, -2n], [Buffer.from('hi')], ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], [new Date('2024-01-01T00:00:00Z')], undefined],
    );
    const [row] = result.rows;
    assert.equal(row.b, [true, false]);
    assert.equal(row.i, ['1', '-2']);
    assert.is(row.y[0].toString(), 'hi');
    assert.equal(row.u, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    assert.is(row.t[0].toISOString(), '2024-01-01T00:00:00.000Z');
    assert.is(row.n, null);
    assert.is(result.rowCount, 1);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

test.run();
