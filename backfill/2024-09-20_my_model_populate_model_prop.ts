// The seed's example backfill, the rb way: write my_model.id as a string into model_prop where
// it is null. One set-based UPDATE (the typed query PopulateModelPropInRange from
// queries/my_model.sql) per range of 10,000 ids, each range its own short transaction, with a
// checkpoint after each so a stopped or killed run resumes where it left off.
//
//   rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts --dry-run
//   rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts
//   rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts --prod
//
// (the runtime package, as in any app that uses rb)
import { batchedBackfill } from '@rbsql/runtime';
import { populateModelPropInRange } from '../queries/my_model.queries.ts';

export default batchedBackfill({
  table: 'app.my_model',
  key: 'id',
  batchSize: 10_000,
  async batch({ db, from, to }) {
    await populateModelPropInRange.run({ fromId: from, toId: to }, db);
  },
});
